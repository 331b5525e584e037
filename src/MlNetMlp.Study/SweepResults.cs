using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlNetMlp.Study;

/// <summary>How a sweep evaluates each configuration: k-fold cross-validation on (a subset of) the training split.</summary>
/// <param name="Folds">k.</param>
/// <param name="Seed">Seeds the folds and every training run.</param>
/// <param name="TrainRows">Training rows used (the first this many of the training split).</param>
public sealed record SweepProtocol(int Folds, int Seed, int TrainRows)
{
    /// <summary>Canonical text; part of every trial's identity, so a changed protocol never reuses old results.</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture, $"cv={Folds};seed={Seed};rows={TrainRows}");

    /// <summary>The identity of <paramref name="config"/> evaluated under this protocol.</summary>
    public string TrialHash(MlpTrialConfig config) => MlpTrialConfig.HashOf(config.Key + ";" + Key);
}

/// <summary>Outcome of one sweep trial.</summary>
public enum SweepTrialStatus
{
    /// <summary>Every fold trained and was evaluated.</summary>
    Ok,
    /// <summary>Training diverged (non-finite loss) in some fold.</summary>
    Diverged,
    /// <summary>Training failed for another reason (see the error).</summary>
    Failed,
}

/// <summary>One finished trial, as stored on one line of the sweep's JSONL file.</summary>
public sealed class SweepTrialResult
{
    /// <summary>Identity of config + protocol (<see cref="SweepProtocol.TrialHash"/>); resume skips hashes already stored.</summary>
    public string Hash { get; init; } = "";

    public MlpTrialConfig Config { get; init; } = new();

    public SweepProtocol Protocol { get; init; } = new(3, 1, 0);

    [JsonConverter(typeof(JsonStringEnumConverter<SweepTrialStatus>))]
    public SweepTrialStatus Status { get; init; }

    /// <summary>ML.NET micro-accuracy on each validation fold.</summary>
    public double[] FoldAccuracies { get; init; } = [];

    /// <summary>ML.NET log-loss on each validation fold.</summary>
    public double[] FoldLogLosses { get; init; } = [];

    /// <summary>Mean of <see cref="FoldAccuracies"/>; null unless <see cref="Status"/> is Ok.</summary>
    public double? MeanAccuracy { get; init; }

    /// <summary>Sample standard deviation of <see cref="FoldAccuracies"/>.</summary>
    public double? StdAccuracy { get; init; }

    public double? MeanLogLoss { get; init; }

    /// <summary>Wall time of the whole trial (all folds).</summary>
    public double Seconds { get; init; }

    /// <summary>Kernel threads the trial ran with.</summary>
    public int Threads { get; init; }

    public string? Error { get; init; }

    public DateTimeOffset Finished { get; init; }

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static SweepTrialResult FromJson(string line) =>
        JsonSerializer.Deserialize<SweepTrialResult>(line, Json) ?? throw new JsonException("null trial");
}

/// <summary>
/// The sweep's JSONL file: one finished trial per line. Each finished trial rewrites the whole file through a
/// temporary sibling and an atomic rename (<see cref="AtomicFile"/>), so the file on disk is always a complete set
/// of lines and an interrupted sweep loses at most the trials that were running. Opening an existing file loads its
/// trials; a torn last line (from an older append-only file or a hand edit) is cut off, and any other unreadable line
/// is kept as it is, skipped and counted. A lock file next to it (<c>.NAME.lock</c>, removed on dispose) stops two
/// sweeps from writing the same file. Thread-safe.
/// </summary>
public sealed class SweepResultStore : IDisposable
{
    private readonly object _gate = new();
    private readonly List<SweepTrialResult> _results = [];
    private readonly HashSet<string> _hashes = [];
    private readonly List<string> _lines = [];
    private readonly FileStream _lock;

    private SweepResultStore(string path, FileStream lockFile)
    {
        Path = path;
        _lock = lockFile;
    }

    /// <summary>The JSONL file.</summary>
    public string Path { get; }

    /// <summary>Lines that could not be read and were ignored (not counting a torn last line).</summary>
    public int SkippedLines { get; private set; }

    /// <summary>True when the file ended in a torn line; it was dropped and is gone from the file after the next trial.</summary>
    public bool RepairedTornLine { get; private set; }

    /// <summary>
    /// Opens (creating its folder if needed) the file at <paramref name="path"/> and loads the trials it holds. A
    /// symbolic link stands for its target, which is the file rewritten.
    /// </summary>
    /// <exception cref="IOException">Another sweep has the file open, or the path is not a regular file (a directory, device, pipe...).</exception>
    /// <exception cref="InvalidDataException">The file has content but not one trial line: it is some other file, which a sweep must not overwrite.</exception>
    public static SweepResultStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path)) throw new IOException($"'{System.IO.Path.GetFullPath(path)}' is a directory, not a results file.");
        var full = RegularFile.ResolveForWriting(path);
        var directory = System.IO.Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var lockPath = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(full)}.lock");
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException e)
        {
            throw new IOException($"'{full}' is in use by another sweep (lock file '{lockPath}').", e);
        }
        var store = new SweepResultStore(full, lockFile);
        try
        {
            store.Load();
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
        return store;
    }

    private void Load()
    {
        if (!File.Exists(Path)) return;
        var text = File.ReadAllText(Path, Encoding.UTF8);
        string torn = "";
        if (text.Length > 0 && text[^1] != '\n')
        {
            // A crash in the middle of an append (files written by older versions) leaves a line without its
            // newline: drop it (that trial simply runs again).
            torn = text[(text.LastIndexOf('\n') + 1)..];
            text = text[..(text.LastIndexOf('\n') + 1)];
            RepairedTornLine = true;
        }
        int trialLines = 0;
        foreach (var line in text.Split('\n'))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            _lines.Add(line);
            try
            {
                var result = SweepTrialResult.FromJson(line);
                // Any JSON object deserializes; only one with a trial's identity is a trial (not "{}" or another tool's record).
                if (string.IsNullOrEmpty(result.Hash)) throw new JsonException("no hash");
                trialLines++;
                if (_hashes.Add(result.Hash)) _results.Add(result);
            }
            catch (JsonException)
            {
                SkippedLines++;
            }
        }
        // Unreadable lines beside trials are a hand edit of a results file; content without a single trial (a model
        // zip, notes, another tool's output) is not one, and the first finished trial would overwrite it. The one
        // exception is a lone torn first trial, which starts as every trial line does.
        bool tornTrial = _lines.Count == 0 && torn.StartsWith("{\"hash\":", StringComparison.Ordinal);
        if (trialLines == 0 && (_lines.Count > 0 || (torn.Trim().Length > 0 && !tornTrial)))
            throw new InvalidDataException($"'{Path}' is not a sweep results file (it has content but no trial line); " +
                "a sweep would overwrite it, so name a new or existing results file instead.");
    }

    /// <summary>A snapshot of the stored trials, in file order.</summary>
    public IReadOnlyList<SweepTrialResult> Results
    {
        get { lock (_gate) return _results.ToArray(); }
    }

    /// <summary>Whether a trial with this hash is stored.</summary>
    public bool Contains(string hash)
    {
        lock (_gate) return _hashes.Contains(hash);
    }

    /// <summary>
    /// Adds one line and rewrites the file atomically (flushed to disk) before returning. A hash already stored is
    /// ignored (returns false). If the write fails, the store is left as it was and the error propagates.
    /// </summary>
    public bool Append(SweepTrialResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var line = result.ToJson();
        lock (_gate)
        {
            if (_hashes.Contains(result.Hash)) return false;
            var text = new StringBuilder();
            foreach (var existing in _lines) text.Append(existing).Append('\n');
            text.Append(line).Append('\n');
            AtomicFile.WriteAllText(Path, text.ToString());
            _hashes.Add(result.Hash);
            _lines.Add(line);
            _results.Add(result);
            return true;
        }
    }

    public void Dispose()
    {
        lock (_gate) _lock.Dispose();
    }
}
