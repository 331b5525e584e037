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
/// The sweep's append-only JSONL file: one finished trial per line, written and flushed to disk as soon as the
/// trial ends, so an interrupted sweep loses at most the trials that were running. Opening an existing file loads
/// its trials (a torn last line, from a crash mid-write, is cut off; any other unreadable line is skipped and counted).
/// Thread-safe.
/// </summary>
public sealed class SweepResultStore : IDisposable
{
    private readonly object _gate = new();
    private readonly List<SweepTrialResult> _results = [];
    private readonly HashSet<string> _hashes = [];
    private readonly FileStream _stream;

    private SweepResultStore(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    /// <summary>The JSONL file.</summary>
    public string Path { get; }

    /// <summary>Lines that could not be read and were ignored (not counting a torn last line).</summary>
    public int SkippedLines { get; private set; }

    /// <summary>True when the file ended in a torn line that was cut off on open.</summary>
    public bool RepairedTornLine { get; private set; }

    /// <summary>Opens (creating if needed) the file at <paramref name="path"/> and loads the trials it holds.</summary>
    public static SweepResultStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var stream = new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var store = new SweepResultStore(full, stream);
        try
        {
            store.Load();
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return store;
    }

    private void Load()
    {
        var bytes = new byte[_stream.Length];
        _stream.Position = 0;
        _stream.ReadExactly(bytes);
        int end = bytes.Length;
        if (end > 0 && bytes[end - 1] != (byte)'\n')
        {
            // A crash mid-append leaves a line without its newline: drop it (that trial simply runs again).
            int lastNewline = Array.LastIndexOf(bytes, (byte)'\n');
            end = lastNewline + 1;
            _stream.SetLength(end);
            RepairedTornLine = true;
        }
        foreach (var line in Encoding.UTF8.GetString(bytes, 0, end).Split('\n'))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                var result = SweepTrialResult.FromJson(line);
                if (_hashes.Add(result.Hash)) _results.Add(result);
            }
            catch (JsonException)
            {
                SkippedLines++;
            }
        }
        _stream.Position = _stream.Length;
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

    /// <summary>Appends one line and flushes it to disk before returning. A hash already stored is ignored (returns false).</summary>
    public bool Append(SweepTrialResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var line = Encoding.UTF8.GetBytes(result.ToJson() + "\n");
        lock (_gate)
        {
            if (!_hashes.Add(result.Hash)) return false;
            _stream.Write(line);
            _stream.Flush(flushToDisk: true);
            _results.Add(result);
            return true;
        }
    }

    public void Dispose()
    {
        lock (_gate) _stream.Dispose();
    }
}
