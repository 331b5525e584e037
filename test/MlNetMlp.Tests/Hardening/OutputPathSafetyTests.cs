using System.Diagnostics;
using System.IO.Compression;
using System.Net.Sockets;
using Microsoft.ML;
using MlNetMlp.Cnn;
using MlNetMlp.Data;
using MlNetMlp.Numerics;
using MlNetMlp.Study;

namespace MlNetMlp.Tests.Hardening;

/// <summary>
/// Paths that are not regular files, as outputs and as inputs: a device, named pipe, socket or directory is refused
/// naming it (never replaced, never read forever); a symbolic link stands for its target; long names work; a killed
/// write's temporary file does not stay forever. The special files are private ones made in a temporary directory
/// (the tests run as root: a regression must replace a copy, never the system's /dev/null).
/// </summary>
[TestClass]
public sealed class OutputPathSafetyTests
{
    private static string TempDirectory() => Directory.CreateTempSubdirectory("mlnetmlp-paths-").FullName;

    internal static void Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        string error = process.StandardError.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(30_000), $"{file} timed out");
        Assert.AreEqual(0, process.ExitCode, $"{file} {string.Join(' ', args)}: {error}");
    }

    /// <summary>A named pipe at <paramref name="path"/>.</summary>
    internal static string Fifo(string path)
    {
        Run("mkfifo", path);
        return path;
    }

    /// <summary>A private copy of /dev/null (character device 1,3) at <paramref name="path"/>.</summary>
    internal static string NullDevice(string path)
    {
        Run("mknod", path, "c", "1", "3");
        return path;
    }

    /// <summary>What <paramref name="path"/> itself is (a link is not followed), as <c>stat</c> names it: "fifo", "symbolic link"...</summary>
    internal static string Kind(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("stat", ["-c", "%F", path]) { RedirectStandardOutput = true })!;
        string kind = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return kind;
    }

    /// <summary>
    /// Runs <paramref name="action"/> and returns the <see cref="IOException"/> (or subclass) it throws; fails if it
    /// throws nothing or anything else, or hangs (then the pipes in <paramref name="fifos"/> get a writer, so a reader
    /// blocked on one ends).
    /// </summary>
    internal static Exception Refused(Action action, params string[] fifos)
    {
        var task = Task.Run(action);
        Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(20))).Wait();
        if (!task.IsCompleted)
        {
            foreach (var fifo in fifos)
                Task.Run(() => { using var unblock = new FileStream(fifo, FileMode.Open, FileAccess.Write); }).Wait(TimeSpan.FromSeconds(5));
            Assert.Fail("the call hung (it opened a named pipe?)");
        }
        if (task.Exception?.InnerException is IOException e) return e;
        throw new AssertFailedException(task.Exception is null ? "nothing was thrown"
            : $"expected an IOException, got {task.Exception.InnerException!.GetType().Name}: {task.Exception.InnerException.Message}");
    }

    [TestMethod]
    public void AnAtomicWriteRefusesDevicesPipesSocketsAndDirectoriesAndWritesNothing()
    {
        var dir = TempDirectory();
        try
        {
            var device = NullDevice(Path.Combine(dir, "null"));
            var pipe = Fifo(Path.Combine(dir, "pipe"));
            var folder = Directory.CreateDirectory(Path.Combine(dir, "folder")).FullName;
            var socketPath = Path.Combine(dir, "socket");
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(socketPath));
            var linkToDevice = Path.Combine(dir, "link-to-null");
            File.CreateSymbolicLink(linkToDevice, "null");
            var linkToSystemNull = Path.Combine(dir, "link-to-dev-null");
            File.CreateSymbolicLink(linkToSystemNull, "/dev/null");
            var before = Directory.GetFileSystemEntries(dir).Order().ToArray();

            foreach (var (path, what, kind) in new[]
            {
                (device, "is a character device", "character special file"),
                (pipe, "is a named pipe (FIFO)", "fifo"),
                (folder, "is a directory", "directory"),
                (socketPath, "is a socket", "socket"),
                (linkToDevice, $"is a symbolic link to {device}, a character device", "symbolic link"),
                (linkToSystemNull, "is a symbolic link to /dev/null, a character device", "symbolic link"),
            })
            {
                bool written = false;
                var e = Refused(() => AtomicFile.Write(path, stream => { written = true; stream.WriteByte(1); }), pipe);
                StringAssert.Contains(e.Message, path, what);
                StringAssert.Contains(e.Message, what, path);
                Assert.IsFalse(written, $"{path}: nothing may be written");
                Assert.AreEqual(kind, Kind(path), $"{path} must stay what it was");
                Assert.IsInstanceOfType<IOException>(Refused(() => AtomicFile.WriteAllText(path, "text"), pipe));
            }
            Assert.AreEqual("character special file", Kind("/dev/null"));
            CollectionAssert.AreEqual(before, Directory.GetFileSystemEntries(dir).Order().ToArray(), "no file was added or removed");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void AnAtomicWriteThroughASymbolicLinkWritesItsFinalTargetAndKeepsTheLinks()
    {
        var dir = TempDirectory();
        try
        {
            var target = Path.Combine(dir, "target.txt");
            File.WriteAllText(target, "old");
            var link = Path.Combine(dir, "link.txt");
            File.CreateSymbolicLink(link, "target.txt");
            var chain = Path.Combine(dir, "chain.txt");
            File.CreateSymbolicLink(chain, link);
            AtomicFile.WriteAllText(chain, "new");
            Assert.AreEqual("symbolic link", Kind(chain));
            Assert.AreEqual("symbolic link", Kind(link));
            Assert.AreEqual("new", File.ReadAllText(target));

            // A link to a file that does not exist yet creates the file where it points.
            Directory.CreateDirectory(Path.Combine(dir, "sub"));
            var dangling = Path.Combine(dir, "dangling.txt");
            File.CreateSymbolicLink(dangling, Path.Combine("sub", "new.txt"));
            AtomicFile.WriteAllText(dangling, "created");
            Assert.AreEqual("symbolic link", Kind(dangling));
            Assert.AreEqual("created", File.ReadAllText(Path.Combine(dir, "sub", "new.txt")));
            CollectionAssert.AreEquivalent(new[] { "new.txt" }, Directory.GetFiles(Path.Combine(dir, "sub")).Select(Path.GetFileName).ToArray(), "no temporary left");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void TemporaryFilesOfDeadWritersAreRemovedByTheNextWriteAndLiveOnesKept()
    {
        var dir = TempDirectory();
        using var sleeper = Process.Start("sleep", "60");
        try
        {
            int dead;
            using (var exited = Process.Start("true")) { exited.WaitForExit(); dead = exited.Id; }
            string Temp(string name, int pid) => Path.Combine(dir, $".{name}.{pid}.{Guid.NewGuid():N}.tmp");
            string Make(string path) { File.WriteAllBytes(path, new byte[1000]); return path; }

            var stale = new[] { Make(Temp("model.zip", dead)), Make(Temp("mlp-checkpoint.bin", dead)), Make(Temp("write-check", dead)) };
            var kept = new List<string>
            {
                Make(Temp("model.zip", Environment.ProcessId)), // this process: a write may be under way
                Make(Temp("model.zip", sleeper.Id)), // a live process
                Make(Path.Combine(dir, $"model.zip.{dead}.{Guid.NewGuid():N}.tmp")), // not our naming (no dot)
                Make(Path.Combine(dir, $".model.zip.{dead}.1234.tmp")), // not our naming (no guid)
                Fifo(Temp("odd", dead)), // ours by name but not a regular file: never opened
            };
            // A writer whose pid this process cannot see (another pid namespace) still holds its file locked.
            var lockedPath = Make(Temp("model.zip", dead));
            kept.Add(lockedPath);
            using (new FileStream(lockedPath, FileMode.Open, FileAccess.Write, FileShare.None))
                AtomicFile.WriteAllText(Path.Combine(dir, "model.zip"), "model");

            foreach (var path in stale) Assert.IsFalse(File.Exists(path), $"{Path.GetFileName(path)} is stale and should be gone");
            foreach (var path in kept) Assert.IsTrue(Path.Exists(path), $"{Path.GetFileName(path)} must be kept");
            Assert.AreEqual("model", File.ReadAllText(Path.Combine(dir, "model.zip")));
        }
        finally
        {
            sleeper.Kill();
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void OpeningACheckpointDirectoryRemovesTheTemporaryFileOfAKilledSave()
    {
        var dir = TempDirectory();
        try
        {
            int dead;
            using (var exited = Process.Start("true")) { exited.WaitForExit(); dead = exited.Id; }
            var leftover = Path.Combine(dir, $".{Path.GetFileName(TrainingCheckpoint.PathIn(dir))}.{dead}.{Guid.NewGuid():N}.tmp");
            File.WriteAllBytes(leftover, new byte[4096]);
            bool sawLeftover = true;
            var trainer = new MlpTrainer(new MLContext(1), new MlpTrainer.Options
            {
                HiddenLayers = [4], Epochs = 2, Seed = 1, NumberOfThreads = 1, CheckpointDirectory = dir, CheckpointEveryEpochs = 2,
            });
            // Looked at after the first epoch, before any checkpoint was saved: gone already, at the start.
            trainer.EpochCompleted += (_, e) => { if (e.Epoch == 1) sawLeftover = File.Exists(leftover); };
            trainer.Fit(new SyntheticDataView(rows: 60, features: 4, classes: 2, seed: 1, spread: 1f));
            Assert.IsFalse(sawLeftover, "the killed save's temporary file was removed when training opened the directory");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void ALongFileNameIsWrittenAndOneTooLongIsRefusedBeforeWriting()
    {
        var dir = TempDirectory();
        try
        {
            foreach (var name in new[] { new string('m', 236) + ".zip", new string('é', 120) + ".txt", new string('a', 255) })
            {
                var path = Path.Combine(dir, name);
                AtomicFile.WriteAllText(path, "content");
                Assert.AreEqual("content", File.ReadAllText(path), $"{name.Length} characters");
                AtomicFile.WriteAllText(path, "again"); // the temporary name of an existing long name fits too
                Assert.AreEqual("again", File.ReadAllText(path));
            }
            Assert.HasCount(3, Directory.GetFileSystemEntries(dir), "no temporary file left");

            var tooLong = Path.Combine(dir, new string('x', 256));
            bool written = false;
            var e = Assert.ThrowsExactly<IOException>(() => AtomicFile.Write(tooLong, _ => written = true));
            StringAssert.Contains(e.Message, tooLong);
            StringAssert.Contains(e.Message, "256 bytes long");
            Assert.IsFalse(written, "refused before the content was made");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void InputsThatAreNotRegularFilesAreRefusedNamingThem()
    {
        var dir = TempDirectory();
        try
        {
            var png = Fifo(Path.Combine(dir, "x.png"));
            var model = Fifo(Path.Combine(dir, "model.zip"));
            var checkpoint = Fifo(Path.Combine(dir, "checkpoint.bin"));
            var idx = Fifo(Path.Combine(dir, "train-images-idx3-ubyte"));
            var results = Fifo(Path.Combine(dir, "sweep.jsonl"));
            var classes = Directory.CreateDirectory(Path.Combine(dir, "images", "Bag")).FullName;
            var inFolder = Fifo(Path.Combine(classes, "a.png"));
            var fifos = new[] { png, model, checkpoint, idx, results, inFolder };
            var ml = new MLContext(1);

            void AssertRefused(Action read, string path, string what)
            {
                var e = Refused(read, fifos);
                StringAssert.Contains(e.Message, path, what);
                StringAssert.Contains(e.Message, what, path);
            }
            const string Pipe = "is a named pipe (FIFO), not a regular file";
            AssertRefused(() => ModelFile.Load(ml, model, out _), model, Pipe);
            AssertRefused(() => DecodedImage.Load(png), png, Pipe);
            AssertRefused(() => DecodedImage.ReadSize(png), png, Pipe);
            AssertRefused(() => ImageFolder.LoadImage(png), png, Pipe);
            AssertRefused(() => ImageFolder.Load(ml, Path.Combine(dir, "images")), inFolder, Pipe);
            AssertRefused(() => TrainingCheckpoint.Load(checkpoint), checkpoint, Pipe);
            AssertRefused(() => TrainingCheckpoint.Load(checkpoint), checkpoint, Pipe);
            AssertRefused(() => IdxReader.ReadImages(idx), idx, Pipe);
            AssertRefused(() => SweepResultStore.Open(results).Dispose(), results, "is a named pipe (FIFO), not a regular file");
            Assert.AreEqual("fifo", Kind(results), "the sweep did not replace the pipe");

            var folder = Directory.CreateDirectory(Path.Combine(dir, "folder.zip")).FullName;
            AssertRefused(() => ModelFile.Load(ml, folder, out _), folder, "is a directory, not a regular file");
            AssertRefused(() => TrainingCheckpoint.Load(folder), folder, "is a directory, not a regular file");

            // A link to /dev/zero used to be read for 4 GB before failing without naming the file.
            var zero = Path.Combine(dir, "zero.bin");
            File.CreateSymbolicLink(zero, "/dev/zero");
            const string Zero = "is a symbolic link to /dev/zero, a character device, not a regular file";
            AssertRefused(() => TrainingCheckpoint.Load(zero), zero, Zero);
            AssertRefused(() => DecodedImage.Load(zero), zero, Zero);
            AssertRefused(() => ModelFile.Load(ml, zero, out _), zero, Zero);
            AssertRefused(() => IdxReader.ReadLabels(zero), zero, Zero);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void ASweepDoesNotTakeOverAFileThatIsNotItsResults()
    {
        var dir = TempDirectory();
        try
        {
            var zip = Path.Combine(dir, "model.zip");
            using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
                using (var writer = new StreamWriter(archive.CreateEntry("TransformerChain/Model.key").Open()))
                    writer.Write("payload\nmore payload\n");
            var notes = Path.Combine(dir, "notes.txt");
            File.WriteAllText(notes, "hello\nworld\n");
            var noNewline = Path.Combine(dir, "one-line.txt");
            File.WriteAllText(noNewline, "just some text");
            var otherJson = Path.Combine(dir, "other.jsonl");
            File.WriteAllText(otherJson, "{\"id\":1,\"loss\":0.5}\n{}\n");
            foreach (var path in new[] { zip, notes, noNewline, otherJson })
            {
                var bytes = File.ReadAllBytes(path);
                var e = Assert.ThrowsExactly<InvalidDataException>(() => SweepResultStore.Open(path).Dispose(), path);
                StringAssert.Contains(e.Message, path);
                StringAssert.Contains(e.Message, "is not a sweep results file");
                CollectionAssert.AreEqual(bytes, File.ReadAllBytes(path), $"{path} is unchanged");
            }
            CollectionAssert.AreEquivalent(new[] { "model.zip", "notes.txt", "one-line.txt", "other.jsonl" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray(),
                "no lock or temporary file is left");

            // Still opened: an empty file, and the torn first line of an interrupted older sweep.
            var empty = Path.Combine(dir, "empty.jsonl");
            File.WriteAllText(empty, "");
            using (var store = SweepResultStore.Open(empty)) Assert.IsEmpty(store.Results);
            var torn = Path.Combine(dir, "torn.jsonl");
            var trial = new SweepTrialResult { Hash = "h1", Status = SweepTrialStatus.Ok, FoldAccuracies = [0.5], MeanAccuracy = 0.5 }.ToJson();
            File.WriteAllText(torn, trial[..20]);
            using (var store = SweepResultStore.Open(torn)) Assert.IsTrue(store.RepairedTornLine);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void AReportWithOneUnwritablePathWritesNoneOfItsFiles()
    {
        var dir = TempDirectory();
        try
        {
            var markdown = Fifo(Path.Combine(dir, "report.md"));
            var report = new StudyReport { Mode = "quick", Method = ["m"], ClassNames = ["a", "b"], TestLabels = [0, 1], Results = [] };
            var png = MlNetMlp.Tests.Data.TestImages.EncodeGray8(new byte[16], 4, 4);
            var e = Refused(() => StudyReportWriter.Write(dir, report, [new ReportFigure("one.png", "A figure", "Its caption.", png)]), markdown);
            StringAssert.Contains(e.Message, markdown);
            Assert.AreEqual("fifo", Kind(markdown));
            CollectionAssert.AreEqual(new[] { markdown }, Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories).ToArray(),
                "no figure or other report file was written before the refusal");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void ACheckpointDirectoryThatIsAFileOrHoldsAPipeIsRefusedBeforeTraining()
    {
        var dir = TempDirectory();
        try
        {
            var file = Path.Combine(dir, "a-file");
            File.WriteAllText(file, "mine");
            var withPipe = Directory.CreateDirectory(Path.Combine(dir, "checkpoints")).FullName;
            var pipe = Fifo(TrainingCheckpoint.PathIn(withPipe));
            foreach (var (directory, named, what) in new[] { (file, file, "is not a directory but a regular file"), (withPipe, pipe, "is a named pipe (FIFO)") })
            {
                int epochs = 0;
                var trainer = new MlpTrainer(new MLContext(1), new MlpTrainer.Options
                {
                    HiddenLayers = [4], Epochs = 2, Seed = 1, NumberOfThreads = 1, CheckpointDirectory = directory, CheckpointEveryEpochs = 1,
                });
                trainer.EpochCompleted += (_, _) => epochs++;
                var e = Refused(() => trainer.Fit(new SyntheticDataView(rows: 60, features: 4, classes: 2, seed: 1, spread: 1f)), pipe);
                StringAssert.Contains(e.Message, named);
                StringAssert.Contains(e.Message, what);
                Assert.AreEqual(0, epochs, "refused before training");
            }
            Assert.AreEqual("mine", File.ReadAllText(file));
            Assert.AreEqual("fifo", Kind(pipe));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
