using MlNetMlp.Data;

namespace MlNetMlp.Tests.Data;

[TestClass]
public sealed class FashionMnistLocatorTests
{
    /// <summary>
    /// A sandbox for every search step: repo/ holds data/fashion-mnist and the current directory repo/src/app,
    /// plus separate explicit, environment, system and cache directories.
    /// </summary>
    private sealed class Sandbox : IDisposable
    {
        private readonly TempDirectory _temp = new();
        private readonly Dictionary<string, string> _variables = new();

        public Sandbox()
        {
            WorkingDirectory = _temp.Sub("repo/src/app");
        }

        public string WorkingDirectory { get; }

        public string Root => _temp.Path;

        public string Explicit => _temp.Sub("explicit", create: false);
        public string FromEnvironment => _temp.Sub("env", create: false);
        public string ProjectData => _temp.Sub("repo/data/fashion-mnist", create: false);
        public string System => _temp.Sub("system", create: false);
        public string Cache => _temp.Sub("cache", create: false);

        public void SetVariable(string name, string value) => _variables[name] = value;

        public FashionMnistOptions Options(bool allowDownload = false) => new()
        {
            AllowDownload = allowDownload,
            SearchEnvironment = new FashionMnistSearchEnvironment
            {
                CurrentDirectory = WorkingDirectory,
                GetEnvironmentVariable = name => _variables.GetValueOrDefault(name),
                SystemDirectory = System,
                DefaultCacheDirectory = Cache,
                // Keeps the walk up from the working directory inside the sandbox: the machine may have its own copies.
                ParentSearchCeiling = Root,
            },
        };

        public void Dispose() => _temp.Dispose();
    }

    [TestMethod]
    public void SearchOrderIsExplicitEnvironmentProjectSystemCache()
    {
        using var sandbox = new Sandbox();
        foreach (string directory in new[] { sandbox.Explicit, sandbox.FromEnvironment, sandbox.ProjectData, sandbox.System, sandbox.Cache })
            IdxBytes.WriteFakeSplit(directory, FashionMnistSplit.Train, 2);
        sandbox.SetVariable("FASHION_MNIST_DIR", sandbox.FromEnvironment);
        var options = sandbox.Options();

        var expected = new (string Directory, FashionMnistSource Source)[]
        {
            (sandbox.Explicit, FashionMnistSource.DataDirectory),
            (sandbox.FromEnvironment, FashionMnistSource.EnvironmentVariable),
            (sandbox.ProjectData, FashionMnistSource.ProjectDataDirectory),
            (sandbox.System, FashionMnistSource.SystemDataset),
            (sandbox.Cache, FashionMnistSource.UserCache),
        };
        for (int step = 0; step < expected.Length; step++)
        {
            var (directory, source) = expected[step];
            var files = FashionMnist.Locate(FashionMnistSplit.Train, step == 0 ? sandbox.Explicit : null, options);
            Assert.AreEqual(source, files.Source, $"step {step}");
            Assert.AreEqual(Path.Combine(directory, "train-images-idx3-ubyte.gz"), files.ImagesPath);
            Assert.AreEqual(Path.Combine(directory, "train-labels-idx1-ubyte.gz"), files.LabelsPath);
            Assert.AreEqual(FashionMnistSplit.Train, files.Split);
            // Take this place away so the next step must be found.
            if (step == 1) sandbox.SetVariable("FASHION_MNIST_DIR", "");
            else if (step > 1) Directory.Delete(directory, recursive: true);
        }
        Assert.ThrowsExactly<FashionMnistNotFoundException>(() => FashionMnist.Locate(FashionMnistSplit.Train, null, options));
    }

    [TestMethod]
    public void ProjectDataDirectoryIsFoundFromTheCurrentDirectoryItself()
    {
        using var sandbox = new Sandbox();
        string local = Path.Combine(sandbox.WorkingDirectory, "data", "fashion-mnist");
        IdxBytes.WriteFakeSplit(local, FashionMnistSplit.Test, 2);
        IdxBytes.WriteFakeSplit(sandbox.ProjectData, FashionMnistSplit.Test, 2);
        var files = FashionMnist.Locate(FashionMnistSplit.Test, null, sandbox.Options());
        Assert.AreEqual(Path.Combine(local, "t10k-images-idx3-ubyte.gz"), files.ImagesPath, "the nearest directory wins");
    }

    [TestMethod]
    public void RelativeDataDirectoryIsResolvedAgainstTheCurrentDirectory()
    {
        using var sandbox = new Sandbox();
        IdxBytes.WriteFakeSplit(Path.Combine(sandbox.WorkingDirectory, "mine"), FashionMnistSplit.Test, 2);
        var files = FashionMnist.Locate(FashionMnistSplit.Test, "mine", sandbox.Options());
        Assert.AreEqual(Path.Combine(sandbox.WorkingDirectory, "mine", "t10k-images-idx3-ubyte.gz"), files.ImagesPath);
    }

    [TestMethod]
    public void FilesWithoutGzExtensionAreFoundAndPreferred()
    {
        using var sandbox = new Sandbox();
        IdxBytes.WriteFakeSplit(sandbox.Explicit, FashionMnistSplit.Train, 2, gzip: false);
        var files = FashionMnist.Locate(FashionMnistSplit.Train, sandbox.Explicit, sandbox.Options());
        Assert.AreEqual(Path.Combine(sandbox.Explicit, "train-images-idx3-ubyte"), files.ImagesPath);

        IdxBytes.WriteFakeSplit(sandbox.Explicit, FashionMnistSplit.Train, 2, gzip: true);
        files = FashionMnist.Locate(FashionMnistSplit.Train, sandbox.Explicit, sandbox.Options());
        Assert.AreEqual(Path.Combine(sandbox.Explicit, "train-images-idx3-ubyte"), files.ImagesPath, "raw needs no decompression");
    }

    [TestMethod]
    public void ExplicitDirectoryWithoutTheFilesIsAnErrorEvenWhenOtherPlacesHaveThem()
    {
        using var sandbox = new Sandbox();
        IdxBytes.WriteFakeSplit(sandbox.System, FashionMnistSplit.Train, 2);
        IdxBytes.WriteFakeSplit(sandbox.Explicit, FashionMnistSplit.Test, 2);
        File.Delete(Path.Combine(sandbox.Explicit, "t10k-labels-idx1-ubyte.gz"));

        var e = Assert.ThrowsExactly<FashionMnistNotFoundException>(() =>
            FashionMnist.Locate(FashionMnistSplit.Train, sandbox.Explicit, sandbox.Options()));
        Assert.HasCount(1, e.PlacesSearched);
        StringAssert.Contains(e.Message, sandbox.Explicit + " (data directory argument): missing train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]");

        var missingDirectory = Path.Combine(sandbox.Explicit, "nope");
        e = Assert.ThrowsExactly<FashionMnistNotFoundException>(() =>
            FashionMnist.Locate(FashionMnistSplit.Test, missingDirectory, sandbox.Options()));
        StringAssert.Contains(e.Message, missingDirectory + " (data directory argument): directory does not exist");
    }

    [TestMethod]
    public void EnvironmentDirectoryWithoutTheFilesIsAnError()
    {
        using var sandbox = new Sandbox();
        IdxBytes.WriteFakeSplit(sandbox.System, FashionMnistSplit.Test, 2);
        IdxBytes.WriteFakeSplit(sandbox.FromEnvironment, FashionMnistSplit.Test, 2);
        File.Delete(Path.Combine(sandbox.FromEnvironment, "t10k-labels-idx1-ubyte.gz"));
        sandbox.SetVariable("FASHION_MNIST_DIR", sandbox.FromEnvironment);

        var e = Assert.ThrowsExactly<FashionMnistNotFoundException>(() =>
            FashionMnist.Locate(FashionMnistSplit.Test, null, sandbox.Options()));
        StringAssert.Contains(e.Message, sandbox.FromEnvironment + " (FASHION_MNIST_DIR): missing t10k-labels-idx1-ubyte[.gz]");
    }

    [TestMethod]
    public void NotFoundListsEveryPlaceWithItsReasonAndTheFixes()
    {
        using var sandbox = new Sandbox();
        IdxBytes.WriteFakeSplit(sandbox.System, FashionMnistSplit.Test, 2);
        File.Delete(Path.Combine(sandbox.System, "t10k-images-idx3-ubyte.gz"));

        var e = Assert.ThrowsExactly<FashionMnistNotFoundException>(() =>
            FashionMnist.Locate(FashionMnistSplit.Test, null, sandbox.Options()));

        Assert.IsInstanceOfType<FileNotFoundException>(e);
        Assert.AreEqual(FashionMnistSplit.Test, e.Split);
        var expectedPlaces = new List<string>
        {
            "data directory argument: not given",
            "FASHION_MNIST_DIR environment variable: not set",
        };
        foreach (string directory in new[] { "repo/src/app", "repo/src", "repo", "" })
            expectedPlaces.Add($"{Path.Combine(sandbox.Root, directory, "data", "fashion-mnist")}: directory does not exist");
        expectedPlaces.Add($"{sandbox.System} (Debian package dataset-fashion-mnist): missing t10k-images-idx3-ubyte[.gz]");
        expectedPlaces.Add($"{sandbox.Cache} (per-user cache): directory does not exist");
        expectedPlaces.Add($"download from {FashionMnist.OfficialDownloadUri}: disabled (AllowDownload = false)");
        foreach (string place in expectedPlaces)
            StringAssert.Contains(e.Message, place);
        CollectionAssert.AreEqual(expectedPlaces, e.PlacesSearched.ToList(), "every place, in search order");
        StringAssert.Contains(e.Message, "--data DIR");
        StringAssert.Contains(e.Message, "FASHION_MNIST_DIR=DIR");
        StringAssert.Contains(e.Message, "apt-get install dataset-fashion-mnist");
        StringAssert.Contains(e.Message, "allow the download");
    }

    [TestMethod]
    public void DefaultCacheFollowsXdgThenHomeAndLocalAppDataOnWindows()
    {
        Func<string, string?> none = _ => null;
        Assert.AreEqual(Path.Combine("/home/u", ".cache", "mlnetmlp", "fashion-mnist"),
            FashionMnistSearchEnvironment.DefaultCache(none, "/home/u", "/appdata", isWindows: false));
        Assert.AreEqual(Path.Combine("/xdg", "mlnetmlp", "fashion-mnist"),
            FashionMnistSearchEnvironment.DefaultCache(n => n == "XDG_CACHE_HOME" ? "/xdg" : null, "/home/u", "/appdata", isWindows: false));
        Assert.AreEqual(Path.Combine("/home/u", ".cache", "mlnetmlp", "fashion-mnist"),
            FashionMnistSearchEnvironment.DefaultCache(n => n == "XDG_CACHE_HOME" ? "relative/xdg" : null, "/home/u", "/appdata", isWindows: false),
            "the XDG spec says to ignore relative paths");
        Assert.AreEqual(Path.Combine("/appdata", "mlnetmlp", "fashion-mnist"),
            FashionMnistSearchEnvironment.DefaultCache(n => n == "XDG_CACHE_HOME" ? "/xdg" : null, "/home/u", "/appdata", isWindows: true));
    }

    [TestMethod]
    public void OptionsCacheDirectoryReplacesTheDefault()
    {
        using var sandbox = new Sandbox();
        string custom = Path.Combine(sandbox.WorkingDirectory, "my-cache");
        IdxBytes.WriteFakeSplit(custom, FashionMnistSplit.Test, 2);
        var options = sandbox.Options();
        options.CacheDirectory = custom;
        var files = FashionMnist.Locate(FashionMnistSplit.Test, null, options);
        Assert.AreEqual(FashionMnistSource.UserCache, files.Source);
        Assert.AreEqual(Path.Combine(custom, "t10k-images-idx3-ubyte.gz"), files.ImagesPath);
    }

    [TestMethod]
    public void LoadVerifiesChecksumsOfLocatedFilesUnlessDisabled()
    {
        using var sandbox = new Sandbox();
        IdxBytes.WriteFakeSplit(sandbox.Explicit, FashionMnistSplit.Test, 3);

        var e = Assert.ThrowsExactly<InvalidDataException>(() =>
            FashionMnist.LoadArrays(FashionMnistSplit.Test, sandbox.Explicit, options: sandbox.Options()));
        StringAssert.StartsWith(e.Message, Path.Combine(sandbox.Explicit, "t10k-images-idx3-ubyte.gz") + ": SHA-256");
        StringAssert.Contains(e.Message, FashionMnist.OfficialSha256["t10k-images-idx3-ubyte"]);
        StringAssert.Contains(e.Message, "VerifyChecksums = false");

        var options = sandbox.Options();
        options.VerifyChecksums = false;
        var images = FashionMnist.LoadArrays(FashionMnistSplit.Test, sandbox.Explicit, options: options);
        Assert.AreEqual(3, images.Count);
        CollectionAssert.AreEqual(IdxBytes.FakeLabels(3), images.Labels);
        Assert.AreEqual(IdxBytes.FakePixel(2, 783), images.Pixels[2 * 784 + 783]);
    }

    [TestMethod]
    public void LoadAcceptsFilesMatchingTheExpectedChecksums()
    {
        using var sandbox = new Sandbox();
        var hashes = IdxBytes.WriteFakeSplit(sandbox.Explicit, FashionMnistSplit.Train, 4);
        var options = sandbox.Options();
        options.ExpectedSha256 = hashes;
        Assert.AreEqual(4, FashionMnist.LoadArrays(FashionMnistSplit.Train, sandbox.Explicit, options: options).Count);
    }

    [TestMethod]
    public void LabelOutsideTheTenClassesNamesTheFileAndIndex()
    {
        using var sandbox = new Sandbox();
        IdxBytes.WriteFakeSplit(sandbox.Explicit, FashionMnistSplit.Test, 3);
        string labels = Path.Combine(sandbox.Explicit, "t10k-labels-idx1-ubyte.gz");
        File.WriteAllBytes(labels, IdxBytes.Gzip(IdxBytes.Labels(1, 10, 2)));
        var options = sandbox.Options();
        options.VerifyChecksums = false;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => FashionMnist.LoadArrays(FashionMnistSplit.Test, sandbox.Explicit, options: options));
        StringAssert.StartsWith(e.Message, labels + ": label 10 at index 1");
    }

    [TestMethod]
    public void InvalidOptionsAreRejectedBeforeSearching()
    {
        using var sandbox = new Sandbox();
        var relative = sandbox.Options();
        relative.DownloadBaseUri = new Uri("mirror/", UriKind.Relative);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FashionMnist.Locate(FashionMnistSplit.Test, null, relative)).Message, "DownloadBaseUri");
        var noTime = sandbox.Options();
        noTime.DownloadTimeout = TimeSpan.Zero;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FashionMnist.Locate(FashionMnistSplit.Test, null, noTime)).Message, "DownloadTimeout");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FashionMnist.Locate((FashionMnistSplit)7, null, sandbox.Options()));
    }

    [TestMethod]
    public void NegativeMaxRowsIsRejected() =>
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FashionMnist.LoadArrays(FashionMnistSplit.Test, maxRows: -1));
}
