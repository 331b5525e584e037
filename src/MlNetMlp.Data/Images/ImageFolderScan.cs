namespace MlNetMlp.Data;

/// <summary>What <see cref="ImageFolder.Scan"/> found: the class names and each image file with its class index.</summary>
/// <param name="ClassNames">The label set, in key order.</param>
/// <param name="Files">Every image file and the index of its class in <paramref name="ClassNames"/>.</param>
public sealed record ImageFolderScan(IReadOnlyList<string> ClassNames, IReadOnlyList<(string Path, int Label)> Files);
