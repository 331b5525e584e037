using System.Globalization;
using System.IO.Hashing;

namespace MlNetMlp.Persistence;

/// <summary>
/// The framing every training checkpoint shares (MLP and CNN), little-endian: magic, format version, payload,
/// CRC-32 of everything before it. Writing goes through a temporary file and an atomic rename. Reading checks
/// the magic, version and CRC before the payload is parsed, and the parser bounds every count by what the file
/// can hold, so a truncated, corrupt or foreign file fails with an <see cref="InvalidDataException"/> naming it.
/// </summary>
internal static class CheckpointFile
{
    /// <summary>Writes magic, version, the payload <paramref name="writePayload"/> writes, and the CRC, atomically.</summary>
    public static void Write(string path, ReadOnlySpan<byte> magic, int version, Action<BinaryWriter> writePayload)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(magic);
            writer.Write(version);
            writePayload(writer);
        }
        uint crc = Crc32.HashToUInt32(payload.GetBuffer().AsSpan(0, (int)payload.Length));
        payload.Write(BitConverter.GetBytes(crc));
        AtomicFile.Write(path, stream => stream.Write(payload.GetBuffer().AsSpan(0, (int)payload.Length)));
    }

    /// <summary>
    /// Checks the framing of the file at <paramref name="path"/>, then runs <paramref name="parse"/> on its payload.
    /// <paramref name="kind"/> is what the magic stands for in messages ("MLP", "CNN").
    /// </summary>
    /// <exception cref="InvalidDataException">The file is empty, truncated, corrupt, not this kind of checkpoint, or of another format version.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="IOException">The path is a directory, device, named pipe or socket (<see cref="RegularFile"/>).</exception>
    public static T Read<T>(string path, ReadOnlySpan<byte> magic, int version, string kind, Func<CheckpointReader, T> parse)
    {
        RegularFile.RequireIfPresent(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        byte[] bytes = ReadBounded(path, magic, kind);
        if (bytes.Length == 0) throw Bad(path, "the file is empty");
        if (bytes.Length < magic.Length + 8 || !bytes.AsSpan(0, magic.Length).SequenceEqual(magic))
            throw Bad(path, $"it is not an MlNetMlp {kind} checkpoint (wrong magic bytes)");
        int stored = BitConverter.ToInt32(bytes, magic.Length);
        if (stored != version)
            throw Bad(path, stored < version
                ? $"it was written by an earlier release (format version {stored}; this release reads version {version}, which also records the training data and options it resumes)"
                : $"format version {stored} is not {version}");
        uint crc = BitConverter.ToUInt32(bytes, bytes.Length - 4);
        if (Crc32.HashToUInt32(bytes.AsSpan(0, bytes.Length - 4)) != crc)
            throw Bad(path, $"the checksum does not match (truncated or corrupt, {bytes.Length:N0} bytes)");

        using var reader = new CheckpointReader(path, new MemoryStream(bytes, magic.Length + 4, bytes.Length - magic.Length - 8));
        try
        {
            return parse(reader);
        }
        catch (EndOfStreamException)
        {
            throw reader.Bad("the file ends early");
        }
    }

    /// <summary>
    /// The whole file, read only once its first bytes are this kind of checkpoint's magic and its length is one a
    /// checkpoint can have (one array, in the memory available): a device such as /dev/zero, or a file with a huge
    /// length, is refused after a few bytes instead of being read for gigabytes.
    /// </summary>
    private static byte[] ReadBounded(string path, ReadOnlySpan<byte> magic, string kind)
    {
        long max = Math.Min(Array.MaxLength, TrainingMemory.AvailableBytes);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        if (stream.CanSeek && stream.Length > max)
            throw Bad(path, $"the file is {stream.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes, more than a checkpoint can be " +
                $"({max.ToString("N0", CultureInfo.InvariantCulture)}: one array, in the memory available)");
        Span<byte> head = stackalloc byte[magic.Length];
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (read == 0) return [];
        if (read < head.Length || !head.SequenceEqual(magic))
            throw Bad(path, $"it is not an MlNetMlp {kind} checkpoint (wrong magic bytes)");
        using var content = stream.CanSeek ? new MemoryStream((int)stream.Length) : new MemoryStream();
        content.Write(head);
        byte[] chunk = new byte[1 << 16];
        int n;
        while ((n = stream.Read(chunk)) > 0)
        {
            if (content.Length + n > max)
                throw Bad(path, $"it is longer than a checkpoint can be ({max.ToString("N0", CultureInfo.InvariantCulture)} bytes: one array, in the memory available)");
            content.Write(chunk, 0, n);
        }
        return content.Length == content.Capacity ? content.GetBuffer() : content.ToArray();
    }

    public static InvalidDataException Bad(string path, string problem) =>
        new($"Checkpoint '{path}' cannot be used: {problem}. Delete it to start over, or point to another checkpoint directory.");

    /// <summary>Throws <see cref="InvalidDataException"/> naming the file when the checkpoint's <paramref name="what"/> is not this training's.</summary>
    public static void RequireSame(string? path, bool same, string what, object? inCheckpoint, object? now)
    {
        if (!same)
            throw new InvalidDataException($"Checkpoint '{path}' belongs to another training: its {what} is {inCheckpoint}, this training's is {now}. " +
                "Resume with the options and data that wrote it, or delete it to start over.");
    }

    /// <summary>
    /// The options that shape a training's result, as one canonical "Name=value;…" text (floats round-trip, invariant
    /// culture) that a checkpoint saves and <see cref="RequireSameSettings"/> compares.
    /// </summary>
    public static string Settings(params (string Name, object? Value)[] settings) =>
        string.Join(';', settings.Select(s => $"{s.Name}={Format(s.Value)}"));

    private static string Format(object? value) => value switch
    {
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>Throws <see cref="InvalidDataException"/> naming the file and the first option whose value differs between the two <see cref="Settings"/> texts.</summary>
    public static void RequireSameSettings(string? path, string inCheckpoint, string now)
    {
        if (inCheckpoint == now) return;
        static Dictionary<string, string> Parse(string text) => text.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
        var saved = Parse(inCheckpoint);
        var current = Parse(now);
        foreach (string name in current.Keys.Union(saved.Keys))
        {
            string? was = saved.GetValueOrDefault(name), @is = current.GetValueOrDefault(name);
            RequireSame(path, was == @is, $"option {name}", was ?? "(not recorded)", @is ?? "(not set)");
        }
    }

    /// <summary>
    /// The checkpoint in <paramref name="path"/> to resume from, or null when not resuming or there is none yet. One
    /// written with another seed than <paramref name="requestedSeed"/> is refused: its split, shuffles and dropout came from its own.
    /// </summary>
    public static T? LoadForResume<T>(string path, bool resume, int? requestedSeed, Func<string, T> load, Func<T, int> seedOf) where T : class
    {
        if (!resume || !File.Exists(path)) return null;
        T checkpoint = load(path);
        if (requestedSeed is int requested && requested != seedOf(checkpoint))
            throw new InvalidDataException($"Checkpoint '{path}' was written with seed {seedOf(checkpoint)}, but Options.Seed is {requested}. Use the same seed, or delete the checkpoint to start over.");
        return checkpoint;
    }
}

/// <summary>Reads a checkpoint's payload; every count is checked against the bytes left, before anything is allocated.</summary>
internal sealed class CheckpointReader(string path, Stream payload) : BinaryReader(payload)
{
    public string Path { get; } = path;

    private long Remaining => BaseStream.Length - BaseStream.Position;

    public InvalidDataException Bad(string problem) => CheckpointFile.Bad(Path, problem);

    /// <summary>A count in [0, <paramref name="max"/>] that the rest of the file could hold (one byte per item at least).</summary>
    public int Count(int max, string what)
    {
        int value = ReadInt32();
        if (value < 0 || value > max || value > Remaining + 1)
            throw Bad($"{what} = {value} is out of range");
        return value;
    }

    /// <summary>A length-prefixed float array.</summary>
    public float[] Floats(string what)
    {
        int length = Count(int.MaxValue, what);
        if (4L * length > Remaining) throw Bad($"{what} is cut short");
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = ReadSingle();
        return values;
    }

    /// <summary>A length-prefixed float array of exactly <paramref name="length"/> values.</summary>
    public float[] Floats(int length, string what)
    {
        float[] values = Floats(what);
        if (values.Length != length) throw Bad($"{what} has {values.Length:N0} values, the network has {length:N0}");
        return values;
    }

    /// <summary>Throws unless the payload ends here.</summary>
    public void ExpectEnd(string after)
    {
        if (Remaining != 0) throw Bad($"there are unexpected bytes after the {after}");
    }
}
