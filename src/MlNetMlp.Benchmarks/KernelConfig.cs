using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace MlNetMlp.Benchmarks;

/// <summary>Short runs (the kernels take microseconds) and a GFLOP/s column.</summary>
public sealed class KernelConfig : ManualConfig
{
    public KernelConfig()
    {
        AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(8));
        AddColumn(new GflopsColumn());
    }
}

/// <summary>2·rows·inputs·outputs over the mean time of the benchmark.</summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Billions of floating-point operations per second (2·rows·in·out / mean).";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } statistics) return "-";
        var shape = benchmarkCase.Parameters.Items.Select(p => p.Value).OfType<LayerShape>().FirstOrDefault();
        return (shape.Flop / statistics.Mean).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }
}
