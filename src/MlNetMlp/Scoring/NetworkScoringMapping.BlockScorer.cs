using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Numerics;

namespace MlNetMlp.Scoring;

// The block scorer: rows read ahead and scored in blocks by lanes that share them out (see BlockScorer).
internal sealed partial class NetworkScoringMapping<TWorkspace>
{
    /// <summary>
    /// Scores blocks of <see cref="INetworkOutputs{TWorkspace}.BlockRowsPerCore"/> rows read ahead. Blocks are
    /// shared out as they come, not dealt in turn: every lane (one per core, each with its own lookahead cursor, which
    /// skips the rows of blocks it does not take) claims the next unclaimed block. The reader's own lane works on the
    /// reader's thread: it scores the block the reader needs when nobody has claimed it, and scores the next unclaimed
    /// block instead of waiting when a helper is still on the one it needs. Helper lanes run on pool threads up to
    /// <see cref="_ring"/>'s length in blocks ahead of the reader; a helper with no room gives its thread back, and
    /// the reader restarts it as it moves on, so no thread ever waits for the reader and few hand-offs happen. Every
    /// row's id is checked against the main cursor's, and any mismatch (a source that does not repeat its order)
    /// switches to row-by-row scoring.
    /// </summary>
    private sealed class BlockScorer : IDisposable
    {
        private readonly object _gate = new();
        private readonly int _valuesPerRow;
        private readonly int _blockRows;
        private readonly DataViewRowCursor _input;
        private readonly ValueGetter<DataViewRowId> _inputId;
        private readonly Lane _own;
        private readonly Lane[] _helpers;
        private readonly RowScorer _fallback;
        // Block i lives in _ring[i % length] from its claim until the reader has left it.
        private readonly Block[] _ring;
        // Guarded by _gate: the first block nobody has claimed, the block the reader is on, and whether to stop.
        private long _unclaimed;
        private long _reading = -1;
        private bool _stopped;
        private Block? _current;
        private bool _aligned = true;

        public BlockScorer(INetworkOutputs<TWorkspace> network, ScoringTask task, DataViewSchema.Column featureColumn, DataViewRowCursor input, Func<DataViewRowCursor> openLookahead)
        {
            _valuesPerRow = task.ValuesPerRow;
            // Fewer rows for models with huge rows, so the features and scores of a block stay one modest array each.
            _blockRows = ScoringBlock.Rows(network.BlockRowsPerCore, Math.Max(network.InputSize, task.BufferWidth));
            _input = input;
            _inputId = input.GetIdGetter();
            _fallback = new RowScorer(network, task, input.GetGetter<VBuffer<float>>(featureColumn));
            int lanes = Math.Clamp(Environment.ProcessorCount, 1, 16);
            _ring = new Block[4 * lanes];
            for (int i = 0; i < _ring.Length; i++) _ring[i] = new Block(_blockRows, task.BufferWidth);
            _helpers = new Lane[lanes - 1];
            try
            {
                _own = new Lane(network, task, featureColumn, openLookahead(), _blockRows);
                for (int k = 0; k < _helpers.Length; k++)
                    _helpers[k] = new Lane(network, task, featureColumn, openLookahead(), _blockRows);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public ReadOnlyMemory<float> Score()
        {
            long position = _input.Position;
            if (_aligned)
            {
                long index = position / _blockRows;
                if (_current?.Index != index) _current = Acquire(index);
                int row = (int)(position - index * _blockRows);
                if (_current != null && row < _current.Count)
                {
                    DataViewRowId id = default;
                    _inputId(ref id);
                    if (id.Equals(_current.Ids[row]))
                        return _current.Values.AsMemory(row * _valuesPerRow, _valuesPerRow);
                }
                _aligned = false;
                _current = null;
                lock (_gate) _stopped = true;
            }
            return _fallback.Score(position);
        }

        /// <summary>Block <paramref name="index"/>, scored; null when the lookahead cannot deliver it. Rethrows what producing it threw.</summary>
        private Block? Acquire(long index)
        {
            bool waited = false;
            while (true)
            {
                Block slot = _ring[index % _ring.Length];
                Block claimed;
                long claimedIndex;
                lock (_gate)
                {
                    _reading = index;
                    if (slot.Index == index && slot.Ready)
                    {
                        StartHelpers();
                        return slot.Error is { } error ? Rethrow(error) : slot.Missing ? null : slot;
                    }
                    if (index >= _unclaimed && !slot.InProgress)
                    {
                        // Nobody has it (the reader caught up, or skipped ahead past blocks nobody will score).
                        claimedIndex = index;
                        _unclaimed = index + 1;
                    }
                    else if (index < _unclaimed && slot.Index != index)
                    {
                        return null; // not kept for the reader: cannot happen while positions only grow, but never wait for it
                    }
                    else if (index < _unclaimed && HasRoom() && !_own.Ended)
                    {
                        // A helper is on it: score the next free block here instead of waiting.
                        claimedIndex = _unclaimed++;
                    }
                    else
                    {
                        StartHelpers();
                        if (!waited) SpinUntilReady(slot);
                        else Monitor.Wait(_gate);
                        waited = true;
                        continue;
                    }
                    claimed = Claim(claimedIndex);
                    StartHelpers();
                }
                _own.Fill(claimed);
                lock (_gate)
                {
                    claimed.Ready = true;
                    Monitor.PulseAll(_gate);
                }
            }
        }

        /// <summary>
        /// Under the gate: lets it go and watches <paramref name="slot"/> for up to 100 µs (a helper is on it) before the
        /// reader blocks; waking a blocked thread costs tens of microseconds on a virtual machine whose idle core has halted.
        /// </summary>
        private void SpinUntilReady(Block slot)
        {
            Monitor.Exit(_gate);
            try
            {
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                while (!Volatile.Read(ref slot.Ready) && System.Diagnostics.Stopwatch.GetElapsedTime(start).Ticks < TimeSpan.TicksPerMillisecond / 10)
                    Thread.SpinWait(20);
            }
            finally
            {
                Monitor.Enter(_gate);
            }
        }

        private static Block? Rethrow(System.Runtime.ExceptionServices.ExceptionDispatchInfo error)
        {
            error.Throw();
            return null;
        }

        /// <summary>Under the gate: whether block <see cref="_unclaimed"/> may be claimed (its slot is free and the reader is near enough).</summary>
        private bool HasRoom() => _unclaimed < _reading + _ring.Length && !_ring[_unclaimed % _ring.Length].InProgress;

        /// <summary>Under the gate: marks block <paramref name="index"/>'s slot as being produced.</summary>
        private Block Claim(long index)
        {
            Block slot = _ring[index % _ring.Length];
            slot.Index = index;
            slot.Ready = false;
            slot.InProgress = true;
            return slot;
        }

        /// <summary>Under the gate: puts every idle helper with work ahead of it on a pool thread.</summary>
        private void StartHelpers()
        {
            if (_stopped || !HasRoom()) return;
            foreach (Lane helper in _helpers)
            {
                if (helper.Running || helper.Ended) continue;
                helper.Running = true;
                ThreadPool.UnsafeQueueUserWorkItem(static state => state.scorer.RunHelper(state.helper), (scorer: this, helper), preferLocal: false);
            }
        }

        /// <summary>A helper's turn on a pool thread: claims and scores blocks while there is room, then returns the thread.</summary>
        private void RunHelper(Lane helper)
        {
            while (true)
            {
                Block claimed;
                lock (_gate)
                {
                    if (_stopped || helper.Ended || !HasRoom())
                    {
                        helper.Running = false;
                        Monitor.PulseAll(_gate);
                        return;
                    }
                    claimed = Claim(_unclaimed++);
                    helper.Filling = true;
                }
                helper.Fill(claimed);
                lock (_gate)
                {
                    helper.Filling = false;
                    claimed.Ready = true;
                    Monitor.PulseAll(_gate);
                }
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _stopped = true;
                // Helpers finish the block in hand and stop; their cursors are disposed below, not under them. A turn
                // still queued sees _stopped before it touches its cursor.
                while (_helpers.Any(helper => helper is { Filling: true }))
                    Monitor.Wait(_gate);
            }
            _own?.Cursor.Dispose();
            foreach (Lane helper in _helpers)
                helper?.Cursor.Dispose();
        }
    }
}
