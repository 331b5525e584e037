using MlNetMlp.Data;

namespace MlNetMlp.Tests.Data;

[TestClass]
public sealed class FashionMnistDownloadTests
{
    /// <summary>Collects progress reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class ProgressLog : IProgress<FashionMnistDownloadProgress>
    {
        public List<FashionMnistDownloadProgress> Reports { get; } = [];

        public void Report(FashionMnistDownloadProgress value)
        {
            lock (Reports) Reports.Add(value);
        }
    }

    private sealed class Fixture : IDisposable
    {
        private readonly TempDirectory _temp = new();

        public Fixture()
        {
            Server = new LocalHttpServer();
            // A split written to disk only to obtain its files and their checksums, then served.
            string source = _temp.Sub("source");
            Sha256 = IdxBytes.WriteFakeSplit(source, FashionMnistSplit.Train, 5);
            foreach (string name in Sha256.Keys)
                Gzip[name] = File.ReadAllBytes(Path.Combine(source, name + ".gz"));
            Cache = _temp.Sub("cache", create: false);
        }

        public LocalHttpServer Server { get; }

        public Dictionary<string, string> Sha256 { get; }

        public Dictionary<string, byte[]> Gzip { get; } = new();

        public string Cache { get; }

        public ProgressLog Progress { get; } = new();

        public void ServeAll()
        {
            foreach (var (name, bytes) in Gzip)
                Server.Serve("/" + name + ".gz", new LocalHttpServer.Response(200, bytes));
        }

        public FashionMnistOptions Options() => new()
        {
            DownloadBaseUri = Server.BaseUri,
            ExpectedSha256 = Sha256,
            DownloadProgress = Progress,
            DownloadTimeout = TimeSpan.FromSeconds(20),
            SearchEnvironment = new FashionMnistSearchEnvironment
            {
                CurrentDirectory = _temp.Sub("work"),
                GetEnvironmentVariable = _ => null,
                SystemDirectory = _temp.Sub("no-system", create: false),
                DefaultCacheDirectory = Cache,
                ParentSearchCeiling = _temp.Path,
            },
        };

        public string[] CacheFiles() =>
            Directory.Exists(Cache) ? Directory.GetFiles(Cache).Select(Path.GetFileName).OfType<string>().Order().ToArray() : [];

        public void Dispose()
        {
            Server.Dispose();
            _temp.Dispose();
        }
    }

    [TestMethod]
    public void GoodDownloadLandsInTheCacheAndLoads()
    {
        using var fixture = new Fixture();
        fixture.ServeAll();

        var images = FashionMnist.LoadArrays(FashionMnistSplit.Train, options: fixture.Options());

        Assert.AreEqual(5, images.Count);
        CollectionAssert.AreEqual(IdxBytes.FakeLabels(5), images.Labels);
        CollectionAssert.AreEqual(new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz" }, fixture.CacheFiles());
        CollectionAssert.AreEqual(new[] { "/train-images-idx3-ubyte.gz", "/train-labels-idx1-ubyte.gz" }, fixture.Server.Requested.ToArray());

        var imageReports = fixture.Progress.Reports.Where(r => r.FileName == "train-images-idx3-ubyte.gz").ToList();
        Assert.AreEqual(new Uri(fixture.Server.BaseUri, "train-images-idx3-ubyte.gz"), imageReports[0].Url);
        Assert.AreEqual(0L, imageReports[0].BytesReceived);
        Assert.AreEqual(fixture.Gzip["train-images-idx3-ubyte"].Length, imageReports[^1].BytesReceived);
        Assert.AreEqual(fixture.Gzip["train-images-idx3-ubyte"].Length, imageReports[^1].TotalBytes);

        // The next search finds the cached copy without asking the server again.
        var files = FashionMnist.Locate(FashionMnistSplit.Train, null, fixture.Options());
        Assert.AreEqual(FashionMnistSource.UserCache, files.Source);
        Assert.HasCount(2, fixture.Server.Requested);
    }

    [TestMethod]
    public void LocateReportsTheDownloadAsTheSource()
    {
        using var fixture = new Fixture();
        fixture.ServeAll();
        var files = FashionMnist.Locate(FashionMnistSplit.Train, null, fixture.Options());
        Assert.AreEqual(FashionMnistSource.Download, files.Source);
        Assert.AreEqual(Path.Combine(fixture.Cache, "train-images-idx3-ubyte.gz"), files.ImagesPath);
    }

    [TestMethod]
    public void BaseUriWithoutTrailingSlashStillAddressesTheFiles()
    {
        using var fixture = new Fixture();
        foreach (var (name, bytes) in fixture.Gzip)
            fixture.Server.Serve("/mirror/" + name + ".gz", new LocalHttpServer.Response(200, bytes));
        var options = fixture.Options();
        options.DownloadBaseUri = new Uri(fixture.Server.BaseUri, "mirror");
        Assert.AreEqual(5, FashionMnist.LoadArrays(FashionMnistSplit.Train, options: options).Count);
    }

    [TestMethod]
    public void CorruptPayloadIsRejectedAndLeavesNothingInTheCache()
    {
        using var fixture = new Fixture();
        fixture.ServeAll();
        // Same length, one changed pixel: valid gzip, wrong content.
        var altered = IdxBytes.Images(5, 28, 28, IdxBytes.FakePixel);
        altered[100] ^= 0xFF;
        fixture.Server.Serve("/train-images-idx3-ubyte.gz", new LocalHttpServer.Response(200, IdxBytes.Gzip(altered)));

        var e = Assert.ThrowsExactly<FashionMnistNotFoundException>(() =>
            FashionMnist.LoadArrays(FashionMnistSplit.Train, options: fixture.Options()));

        StringAssert.Contains(e.Message, new Uri(fixture.Server.BaseUri, "train-images-idx3-ubyte.gz") + ": SHA-256 of the decompressed download is " + IdxBytes.Sha256(altered));
        StringAssert.Contains(e.Message, "expected " + fixture.Sha256["train-images-idx3-ubyte"]);
        StringAssert.Contains(e.Message, "discarded");
        Assert.IsInstanceOfType<InvalidDataException>(e.InnerException);
        CollectionAssert.AreEqual(Array.Empty<string>(), fixture.CacheFiles(), "neither the bad file nor its temporary copy may remain");
    }

    [TestMethod]
    public void NonGzipPayloadIsRejected()
    {
        using var fixture = new Fixture();
        fixture.ServeAll();
        var notGzip = new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF };
        fixture.Server.Serve("/train-images-idx3-ubyte.gz", new LocalHttpServer.Response(200, notGzip));

        var e = Assert.ThrowsExactly<FashionMnistNotFoundException>(() =>
            FashionMnist.Locate(FashionMnistSplit.Train, null, fixture.Options()));
        StringAssert.Contains(e.Message, "train-images-idx3-ubyte.gz: ");
        CollectionAssert.AreEqual(Array.Empty<string>(), fixture.CacheFiles());
    }

    [TestMethod]
    public void DroppedConnectionIsRejectedAndLeavesNothingInTheCache()
    {
        using var fixture = new Fixture();
        fixture.ServeAll();
        var full = fixture.Gzip["train-images-idx3-ubyte"];
        fixture.Server.Serve("/train-images-idx3-ubyte.gz", new LocalHttpServer.Response(200, full[..(full.Length / 2)], AnnouncedLength: full.Length));

        var e = Assert.ThrowsExactly<FashionMnistNotFoundException>(() =>
            FashionMnist.Locate(FashionMnistSplit.Train, null, fixture.Options()));
        StringAssert.Contains(e.Message, "failed: ");
        CollectionAssert.AreEqual(Array.Empty<string>(), fixture.CacheFiles());
    }

    [TestMethod]
    public void HttpErrorIsReportedWithEveryPlaceSearched()
    {
        using var fixture = new Fixture();
        fixture.Server.Serve("/train-images-idx3-ubyte.gz", new LocalHttpServer.Response(404, "no such key"u8.ToArray()));

        var e = Assert.ThrowsExactly<FashionMnistNotFoundException>(() =>
            FashionMnist.Locate(FashionMnistSplit.Train, null, fixture.Options()));

        string last = e.PlacesSearched[^1];
        StringAssert.StartsWith(last, $"download from {fixture.Server.BaseUri} into {fixture.Cache}: failed: ");
        StringAssert.Contains(last, "HTTP 404");
        Assert.IsTrue(e.PlacesSearched.Any(p => p.StartsWith(fixture.Cache + " (per-user cache)", StringComparison.Ordinal)));
        Assert.IsTrue(e.PlacesSearched.Any(p => p.StartsWith("FASHION_MNIST_DIR", StringComparison.Ordinal)));
        CollectionAssert.AreEqual(Array.Empty<string>(), fixture.CacheFiles());
    }

    [TestMethod]
    public void UnreachableServerIsReported()
    {
        using var fixture = new Fixture();
        var options = fixture.Options();
        // Port 9 (discard) on loopback is closed on any sane test machine: connection refused at once.
        options.DownloadBaseUri = new Uri("http://127.0.0.1:9/");
        var e = Assert.ThrowsExactly<FashionMnistNotFoundException>(() => FashionMnist.Locate(FashionMnistSplit.Train, null, options));
        StringAssert.StartsWith(e.PlacesSearched[^1], "download from http://127.0.0.1:9/ into ");
        Assert.IsNotNull(e.InnerException);
    }

    [TestMethod]
    public void DownloadedFilesAreCheckedEvenWhenVerificationIsOff()
    {
        using var fixture = new Fixture();
        fixture.ServeAll();
        var options = fixture.Options();
        options.VerifyChecksums = false;
        options.ExpectedSha256 = fixture.Sha256.ToDictionary(p => p.Key, _ => new string('0', 64));
        Assert.ThrowsExactly<FashionMnistNotFoundException>(() => FashionMnist.Locate(FashionMnistSplit.Train, null, options));
        CollectionAssert.AreEqual(Array.Empty<string>(), fixture.CacheFiles());
    }
}
