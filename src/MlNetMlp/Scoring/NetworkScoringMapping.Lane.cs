using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMlp.Numerics;

namespace MlNetMlp.Scoring;

// What the block scorer's lanes work on: a block of rows, and a lane that reads and scores the blocks it claims.
internal sealed partial class NetworkScoringMapping<TWorkspace>
{
    /// <summary>One block's scores and row ids, or why it has none (its lane's rows ran out, or reading them threw).</summary>
    private sealed class Block(int rows, int bufferWidth)
    {
        public long Index = -1;
        public int Count;
        public bool InProgress;
        public bool Ready;
        public bool Missing;
        public System.Runtime.ExceptionServices.ExceptionDispatchInfo? Error;
        public readonly float[] Values = new float[rows * bufferWidth];
        public readonly DataViewRowId[] Ids = new DataViewRowId[rows];
    }

    /// <summary>One lookahead cursor with its feature block and workspace: reads and scores the blocks its lane claims, in increasing order.</summary>
    private sealed class Lane
    {
        private readonly INetworkOutputs<TWorkspace> _network;
        private readonly ScoringTask _task;
        private readonly ValueGetter<VBuffer<float>> _features;
        private readonly ValueGetter<DataViewRowId> _id;
        private readonly TWorkspace _workspace;
        private readonly float[] _block;
        private readonly int _blockRows;
        private VBuffer<float> _buffer;

        public Lane(INetworkOutputs<TWorkspace> network, ScoringTask task, DataViewSchema.Column featureColumn, DataViewRowCursor cursor, int blockRows)
        {
            _network = network;
            _task = task;
            Cursor = cursor;
            _blockRows = blockRows;
            _features = cursor.GetGetter<VBuffer<float>>(cursor.Schema[featureColumn.Index]);
            _id = cursor.GetIdGetter();
            _workspace = network.CreateWorkspace(blockRows);
            _block = new float[blockRows * network.InputSize];
        }

        public DataViewRowCursor Cursor { get; }

        /// <summary>Guarded by the scorer's gate: a helper's turn is queued or running.</summary>
        public bool Running;

        /// <summary>Guarded by the scorer's gate: a helper is reading or scoring a block with <see cref="Cursor"/>.</summary>
        public bool Filling;

        /// <summary>The cursor ran out of rows, or reading it threw: this lane takes no more blocks.</summary>
        public bool Ended { get; private set; }

        /// <summary>Reads and scores <paramref name="target"/>'s block; a failure is kept in the block for the reader, who may never need it.</summary>
        public void Fill(Block target)
        {
            target.Error = null;
            target.Missing = false;
            target.Count = 0;
            try
            {
                if (!TryFill(target)) target.Missing = true;
            }
            catch (Exception error)
            {
                Ended = true;
                target.Error = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error);
            }
            target.InProgress = false;
        }

        private bool TryFill(Block target)
        {
            if (Ended) return false;
            long first = target.Index * _blockRows;
            // The cursor only moves forward: skip the rows of the blocks other lanes took.
            while (Cursor.Position < first - 1)
                if (!Cursor.MoveNext()) { Ended = true; return false; }
            if (Cursor.Position != first - 1) return false;

            int count = 0, width = _network.InputSize;
            while (count < _blockRows && Cursor.MoveNext())
            {
                _features(ref _buffer);
                _buffer.CopyTo(_block.AsSpan(count * width, width));
                _id(ref target.Ids[count]);
                count++;
            }
            if (count < _blockRows) Ended = true;
            if (count == 0) return false;
            Span<float> values = target.Values.AsSpan(0, count * _task.BufferWidth);
            _network.ComputeOutputs(_block.AsSpan(0, count * width), count, values, _workspace);
            _task.FromOutputs(values, count);
            target.Count = count;
            return true;
        }
    }
}
