using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMlp.Mapping;

/// <summary>The IRowToRowMapper face of an <see cref="IRowMapping"/>; PredictionEngine scores through it.</summary>
internal sealed class MappedRowToRowMapper : IRowToRowMapper
{
    private readonly MappedSchema _schema;

    public MappedRowToRowMapper(IRowMapping mapping) => _schema = new MappedSchema(mapping);

    public DataViewSchema InputSchema => _schema.Input;

    public DataViewSchema OutputSchema => _schema.Output;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var (inputActive, _) = _schema.Resolve(dependingColumns);
        return _schema.InputColumns(inputActive);
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        var (_, addedActive) = _schema.Resolve(activeColumns);
        return new MappedRow(_schema, input, addedActive);
    }
}
