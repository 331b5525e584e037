using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetMlp;
using MlNetMlp.Persistence;

// The prediction transformers' registrations with ML.NET's loader, and their loaders, in one place.
// Model files of both networks keep the formats (and loader signatures) of the multiclass transformers this one replaced.
[assembly: LoadableClass(typeof(MulticlassNetworkTransformer<MlpModelParameters>), typeof(MlpMulticlassTransformerLoader), null,
    typeof(SignatureLoadModel), "MLP Multiclass Prediction Transformer", MulticlassTransformerFormat.MlpLoaderSignature)]
[assembly: LoadableClass(typeof(MulticlassNetworkTransformer<CnnModelParameters>), typeof(CnnMulticlassTransformerLoader), null,
    typeof(SignatureLoadModel), "CNN Multiclass Prediction Transformer", MulticlassTransformerFormat.CnnLoaderSignature)]

// One loader for both networks per task: the payload names the network, and Create builds the transformer of that
// network, which is why the registered type is the covariant interface both are.
[assembly: LoadableClass(typeof(ISingleFeaturePredictionTransformer<NetworkModelParameters>), typeof(BinaryNetworkTransformerLoader), null,
    typeof(SignatureLoadModel), "Network Binary Prediction Transformer", BinaryNetworkTransformerLoader.LoaderSignature)]
[assembly: LoadableClass(typeof(ISingleFeaturePredictionTransformer<NetworkModelParameters>), typeof(RegressionNetworkTransformerLoader), null,
    typeof(SignatureLoadModel), "Network Regression Prediction Transformer", RegressionNetworkTransformerLoader.LoaderSignature)]

namespace MlNetMlp;

/// <summary>The multiclass transformers' loader signatures and version headers, one per network (their original names).</summary>
internal static class MulticlassTransformerFormat
{
    public const string MlpLoaderSignature = "MlNetMlpPredictionXf";
    public const string CnnLoaderSignature = "MlNetMlpCnnPredictionXf";

    private static readonly VersionInfo MlpVersion = ModelFormat.Version("MLPPREDX", 0x00010001, MlpLoaderSignature);
    private static readonly VersionInfo CnnVersion = ModelFormat.Version("CNNPREDX", 0x00010001, CnnLoaderSignature);

    public static VersionInfo VersionOf(NetworkKind kind) => kind switch
    {
        NetworkKind.Mlp => MlpVersion,
        NetworkKind.Cnn => CnnVersion,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

/// <summary>ML.NET's loader for MLP multiclass transformers (its <c>Create</c> returns exactly the registered type, as ComponentCatalog requires).</summary>
internal static class MlpMulticlassTransformerLoader
{
    internal static MulticlassNetworkTransformer<MlpModelParameters> Create(IHostEnvironment env, ModelLoadContext ctx) =>
        MulticlassNetworkTransformer<MlpModelParameters>.Load(ctx, NetworkKind.Mlp);
}

/// <summary>ML.NET's loader for CNN multiclass transformers.</summary>
internal static class CnnMulticlassTransformerLoader
{
    internal static MulticlassNetworkTransformer<CnnModelParameters> Create(IHostEnvironment env, ModelLoadContext ctx) =>
        MulticlassNetworkTransformer<CnnModelParameters>.Load(ctx, NetworkKind.Cnn);
}

/// <summary>ML.NET's loader for binary transformers of either network.</summary>
internal static class BinaryNetworkTransformerLoader
{
    public const string LoaderSignature = "MlNetMlpBinaryXf";

    public static readonly VersionInfo Version = ModelFormat.Version("NETBINXF", 0x00010001, LoaderSignature);

    internal static ISingleFeaturePredictionTransformer<NetworkModelParameters> Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        var reader = ModelFormat.BeginLoad(ctx, Version);
        string featureColumn = reader.ReadString(), scoreColumn = reader.ReadString(), probabilityColumn = reader.ReadString(),
            predictedColumn = reader.ReadString();
        return OneOutputNetworkLoading.Transformer(reader, "a binary classifier's network",
            mlp => new BinaryNetworkTransformer<MlpModelParameters>(mlp, featureColumn, scoreColumn, probabilityColumn, predictedColumn),
            cnn => new BinaryNetworkTransformer<CnnModelParameters>(cnn, featureColumn, scoreColumn, probabilityColumn, predictedColumn));
    }
}

/// <summary>ML.NET's loader for regression transformers of either network.</summary>
internal static class RegressionNetworkTransformerLoader
{
    public const string LoaderSignature = "MlNetMlpRegressionXf";

    public static readonly VersionInfo Version = ModelFormat.Version("NETREGXF", 0x00010001, LoaderSignature);

    internal static ISingleFeaturePredictionTransformer<NetworkModelParameters> Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        var reader = ModelFormat.BeginLoad(ctx, Version);
        string featureColumn = reader.ReadString(), scoreColumn = reader.ReadString();
        float mean = reader.ReadSingle(), scale = reader.ReadSingle();
        if (!float.IsFinite(mean) || !float.IsFinite(scale) || scale <= 0)
            throw ModelFormat.Corrupt(string.Create(CultureInfo.InvariantCulture, $"target mean {mean} and scale {scale} (finite, and a positive scale)"));
        return OneOutputNetworkLoading.Transformer(reader, "a regression network",
            mlp => new RegressionNetworkTransformer<MlpModelParameters>(mlp, featureColumn, mean, scale, scoreColumn),
            cnn => new RegressionNetworkTransformer<CnnModelParameters>(cnn, featureColumn, mean, scale, scoreColumn));
    }
}

/// <summary>
/// The binary and regression loaders' shared end: the network of one output that follows in the entry, and the transformer
/// built for its own type (the loaders register the covariant interface both networks' transformers are).
/// </summary>
internal static class OneOutputNetworkLoading
{
    /// <param name="reader">The entry, at the network.</param>
    /// <param name="network">The network as messages name it ("a regression network").</param>
    /// <param name="mlp">The transformer of an MLP.</param>
    /// <param name="cnn">The transformer of a CNN.</param>
    public static ISingleFeaturePredictionTransformer<NetworkModelParameters> Transformer(BinaryReader reader, string network,
        Func<MlpModelParameters, ISingleFeaturePredictionTransformer<MlpModelParameters>> mlp,
        Func<CnnModelParameters, ISingleFeaturePredictionTransformer<CnnModelParameters>> cnn)
    {
        var model = NetworkModelParameters.LoadWithKind(reader);
        if (model.OutputCount != 1) throw ModelFormat.Corrupt($"{network} has {model.OutputCount} outputs");
        return model switch
        {
            MlpModelParameters m => mlp(m),
            CnnModelParameters c => cnn(c),
            _ => throw ModelFormat.Corrupt($"network {model.GetType().Name}"),
        };
    }
}
