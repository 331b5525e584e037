using Microsoft.ML.Data;

namespace MlNetMlp.Cli;

/// <summary>
/// A view with a schema and no rows. ML.NET's ONNX exporter needs only the columns the model reads, and a model file
/// stores them (<see cref="ModelFile.Load"/>): exporting needs no data file.
/// </summary>
internal sealed class SchemaOnlyDataView(DataViewSchema schema) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema { get; } = schema;

    public long? GetRowCount() => 0;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new EmptyCursor(Schema);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new EmptyCursor(Schema)];

    private sealed class EmptyCursor(DataViewSchema schema) : DataViewRowCursor
    {
        public override DataViewSchema Schema { get; } = schema;

        public override long Position => -1;

        public override long Batch => 0;

        public override bool MoveNext() => false;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
            (ref TValue _) => throw new InvalidOperationException("The view has no rows.");

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId _) => throw new InvalidOperationException("The view has no rows.");
    }
}
