
namespace MlNetMlp.Cli;

/// <summary>The training and test images of <c>train --images</c>: a held-out share of each class, or a second folder.</summary>
internal static class ImageFolderSplit
{
    /// <summary>
    /// Holds out <paramref name="testFraction"/> of every class (rounded, at least one image of a class with two or more,
    /// never its last), chosen by a generator seeded with <paramref name="seed"/>, so each class keeps its share in both
    /// parts and the same command gives the same split. Rows keep the folder's order: classes in key order, files by name.
    /// </summary>
    public static (List<(string Path, string Label)> Train, List<(string Path, string Label)> Test) Stratified(ImageFolderScan scan, double testFraction, int seed)
    {
        var random = new Random(seed);
        var train = new List<(string, string)>();
        var test = new List<(string, string)>();
        for (int label = 0; label < scan.ClassNames.Count; label++)
        {
            var files = scan.Files.Where(f => f.Label == label).Select(f => f.Path).ToArray();
            int held = files.Length < 2 ? 0 : Math.Clamp((int)Math.Round(testFraction * files.Length), 1, files.Length - 1);
            var heldOut = new HashSet<int>(Enumerable.Range(0, files.Length).OrderBy(_ => random.Next()).Take(held));
            for (int i = 0; i < files.Length; i++)
                (heldOut.Contains(i) ? test : train).Add((files[i], scan.ClassNames[label]));
        }
        return (train, test);
    }

    /// <summary>Every file of <paramref name="scan"/> with its class name.</summary>
    public static List<(string Path, string Label)> All(ImageFolderScan scan) =>
        scan.Files.Select(f => (f.Path, scan.ClassNames[f.Label])).ToList();
}
