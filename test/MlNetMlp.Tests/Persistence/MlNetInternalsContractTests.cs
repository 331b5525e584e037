using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MlNetMlp.Tests.Persistence;

/// <summary>
/// MlNetMlp persists models through ML.NET internals (docs/ARCHITECTURE.md, "Persistence").
/// These tests name every internal it relies on, so a Microsoft.ML update that changes one fails
/// here with a clear message instead of as a MissingMethodException in a user's Save/Load.
/// </summary>
[TestClass]
public sealed class MlNetInternalsContractTests
{
    private const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    private static readonly Assembly Core = typeof(IHostEnvironment).Assembly;
    private static readonly Assembly Data = typeof(MLContext).Assembly;

    private static Type RequireType(Assembly assembly, string name) =>
        assembly.GetType(name) ?? throw new AssertFailedException($"ML.NET no longer has internal type {name}; MlNetMlp's persistence must be revisited.");

    /// <summary>
    /// The Microsoft.ML release loaded now is the one the build selected (<c>MicrosoftMLVersion</c>, passed in as assembly
    /// metadata by the test project) and lies in the range the package admits, so a build against 6.0.0 really tests
    /// 6.0.0 and an unverified release cannot slip in through a transitive reference.
    /// </summary>
    [TestMethod]
    public void MicrosoftMlIsTheSelectedReleaseInsideTheVerifiedRange()
    {
        string selected = BuildMetadata("MicrosoftMLVersion");
        string floor = BuildMetadata("MicrosoftMLSupportedFloor"), below = BuildMetadata("MicrosoftMLSupportedBelow");
        foreach (var assembly in new[] { Core, Data, typeof(IDataView).Assembly })
        {
            string loaded = ReleaseOf(assembly);
            Assert.AreEqual(selected, loaded,
                $"{assembly.GetName().Name} is Microsoft.ML {loaded}, but this build selected MicrosoftMLVersion={selected}; the build and the tests must use the same release.");
        }
        var release = NumericPart(selected);
        Assert.IsTrue(release >= NumericPart(floor) && release < NumericPart(below),
            $"Microsoft.ML {selected} is outside the range [{floor}, {below}) verified by these tests; re-verify the internals below before widening it.");
    }

    [TestMethod]
    public void EveryDeployedMicrosoftMlAssemblyIsTheSelectedRelease()
    {
        string selected = BuildMetadata("MicrosoftMLVersion");
        var deployed = Directory.GetFiles(AppContext.BaseDirectory, "Microsoft.ML*.dll");
        Assert.IsGreaterThanOrEqualTo(3, deployed.Length, "expected at least Microsoft.ML.Core, .Data and .DataView next to the tests");
        foreach (var file in deployed)
        {
            string name = Path.GetFileNameWithoutExtension(file);
            // ONNX Runtime is another product that only shares the prefix.
            if (name.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal)) continue;
            string release = System.Diagnostics.FileVersionInfo.GetVersionInfo(file).ProductVersion?.Split('+')[0] ?? "";
            // The ONNX converter ships with each ML.NET release under a number of its own (Directory.Packages.props).
            string expected = name == "Microsoft.ML.OnnxConverter" ? OnnxConverterOf(selected) : selected;
            Assert.IsTrue(release == expected || (expected.EndsWith('.') && release.StartsWith(expected, StringComparison.Ordinal)),
                $"{Path.GetFileName(file)} is release {release}, but this build selected Microsoft.ML {selected} (expected {expected}…): two ML.NET releases are mixed.");
        }
    }

    /// <summary>The converter line released with an ML.NET release: 0.23.x with 5.0, 0.24.x with 6.0.</summary>
    private static string OnnxConverterOf(string microsoftMl) => NumericPart(microsoftMl).Major switch
    {
        5 => "0.23.",
        6 => "0.24.",
        var major => throw new AssertFailedException($"No known Microsoft.ML.OnnxConverter line for Microsoft.ML {major}.x: add it here and in Directory.Packages.props."),
    };

    private static string BuildMetadata(string key) =>
        typeof(MlNetInternalsContractTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new AssertFailedException($"The test assembly lacks the build's {key} (test/MlNetMlp.Tests/MlNetMlp.Tests.csproj).");

    /// <summary>The NuGet release an ML.NET assembly comes from: its informational version without the commit hash.</summary>
    private static string ReleaseOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    private static Version NumericPart(string release) => Version.Parse(release.Split('-')[0]);

    [TestMethod]
    public void SaveContextMembersExist()
    {
        var save = RequireType(Core, "Microsoft.ML.ModelSaveContext");
        var version = RequireType(Core, "Microsoft.ML.VersionInfo");
        Assert.IsNotNull(save.GetField("Writer", Any) ?? (MemberInfo?)save.GetProperty("Writer", Any), "ModelSaveContext.Writer");
        Assert.IsNotNull(save.GetMethod("CheckAtModel", Any, Type.EmptyTypes), "ModelSaveContext.CheckAtModel()");
        Assert.IsNotNull(save.GetMethod("SetVersionInfo", Any, [version]), "ModelSaveContext.SetVersionInfo(VersionInfo)");
        Assert.IsNotNull(version.GetConstructor(Any, [typeof(string), typeof(uint), typeof(uint), typeof(uint), typeof(string), typeof(string), typeof(string)]),
            "VersionInfo(modelSignature, verWrittenCur, verReadableCur, verWeCanReadBack, loaderAssemblyName, loaderSignature, loaderSignatureAlt)");
    }

    [TestMethod]
    public void LoadContextMembersExist()
    {
        var load = RequireType(Core, "Microsoft.ML.ModelLoadContext");
        var version = RequireType(Core, "Microsoft.ML.VersionInfo");
        Assert.IsNotNull(load.GetField("Reader", Any) ?? (MemberInfo?)load.GetProperty("Reader", Any), "ModelLoadContext.Reader");
        Assert.IsNotNull(load.GetMethod("CheckAtModel", Any, [version]), "ModelLoadContext.CheckAtModel(VersionInfo)");
        Assert.IsNotNull(load.GetField("LoaderAssemblyName", Any), "ModelLoadContext.LoaderAssemblyName (auto-registration of MlNetMlp on Load)");
        RequireType(Core, "Microsoft.ML.SignatureLoadModel");
        var loadable = RequireType(Core, "Microsoft.ML.LoadableClassAttribute");
        Assert.IsTrue(typeof(Attribute).IsAssignableFrom(loadable));
    }

    [TestMethod]
    public void CatalogEnvironmentIsReachable()
    {
        // mlContext.MulticlassClassification.Trainers.Mlp(...) needs the catalog's IHostEnvironment.
        var catalog = RequireType(Data, "Microsoft.ML.Data.IInternalCatalog");
        Assert.IsNotNull(catalog.GetProperty("Environment", Any), "IInternalCatalog.Environment");
        Assert.IsTrue(catalog.IsAssignableFrom(typeof(MulticlassClassificationCatalog.MulticlassClassificationTrainers)));
    }

    [TestMethod]
    public void OurAssemblyRegistersItsLoadableClasses()
    {
        var loadable = RequireType(Core, "Microsoft.ML.LoadableClassAttribute");
        var registered = typeof(MlpTrainer).Assembly.GetCustomAttributes(loadable).ToArray();
        Assert.IsTrue(registered.Length >= 3, $"Expected the MLP, pixel-normalizing and flattening transformers to be loadable, found {registered.Length}.");
    }
    [TestMethod]
    public void OnnxExportInterfacesExist()
    {
        // ConvertToOnnx walks back through IDataTransform.Source and asks each ITransformCanSaveOnnx to write itself
        // (MappedDataView, src/MlNetMlp/Onnx); the nodes are written through OnnxContext and OnnxNode.
        var canSave = RequireType(Data, "Microsoft.ML.Model.OnnxConverter.ICanSaveOnnx");
        var saveAs = RequireType(Data, "Microsoft.ML.Model.OnnxConverter.ISaveAsOnnx");
        var transform = RequireType(Data, "Microsoft.ML.Model.OnnxConverter.ITransformCanSaveOnnx");
        var context = RequireType(Data, "Microsoft.ML.Model.OnnxConverter.OnnxContext");
        var node = RequireType(Data, "Microsoft.ML.Model.OnnxConverter.OnnxNode");
        var dataTransform = RequireType(Data, "Microsoft.ML.Data.IDataTransform");
        Assert.IsTrue(saveAs.IsAssignableFrom(transform) && canSave.IsAssignableFrom(saveAs) && dataTransform.IsAssignableFrom(transform),
            "ITransformCanSaveOnnx : ISaveAsOnnx : ICanSaveOnnx, and ITransformCanSaveOnnx : IDataTransform");
        Assert.IsNotNull(canSave.GetMethod("CanSaveOnnx", Any, [context]), "ICanSaveOnnx.CanSaveOnnx(OnnxContext)");
        Assert.IsNotNull(saveAs.GetMethod("SaveAsOnnx", Any, [context]), "ISaveAsOnnx.SaveAsOnnx(OnnxContext)");
        Assert.IsNotNull(dataTransform.GetProperty("Source", Any), "IDataTransform.Source");
        Assert.IsNotNull(context.GetMethod("GetVariableName", Any, [typeof(string)]), "OnnxContext.GetVariableName(string)");
        Assert.IsNotNull(context.GetMethod("GetNodeName", Any, [typeof(string)]), "OnnxContext.GetNodeName(string)");
        Assert.IsNotNull(context.GetMethod("AddIntermediateVariable", Any, [typeof(DataViewType), typeof(string), typeof(bool)]), "OnnxContext.AddIntermediateVariable(DataViewType, string, bool)");
        Assert.IsNotNull(context.GetMethod("CreateNode", Any, [typeof(string), typeof(IEnumerable<string>), typeof(IEnumerable<string>), typeof(string), typeof(string)]),
            "OnnxContext.CreateNode(string, IEnumerable<string>, IEnumerable<string>, string, string)");
        Assert.IsNotNull(context.GetMethod("CreateNode", Any, [typeof(string), typeof(string), typeof(string), typeof(string), typeof(string)]), "OnnxContext.CreateNode(string, string, string, string, string)");
        Assert.IsNotNull(context.GetMethod("AddInitializer", Any, [typeof(IEnumerable<float>), typeof(IEnumerable<long>), typeof(string), typeof(bool)]), "OnnxContext.AddInitializer(IEnumerable<float>, dims, name, unique)");
        Assert.IsNotNull(context.GetMethod("AddInitializer", Any, [typeof(float), typeof(string), typeof(bool)]), "OnnxContext.AddInitializer(float, name, unique)");
        Assert.IsNotNull(context.GetMethod("AddInitializer", Any, [typeof(long), typeof(string), typeof(bool)]), "OnnxContext.AddInitializer(long, name, unique)");
        foreach (var valueType in new[] { typeof(long), typeof(double), typeof(Type) })
            Assert.IsNotNull(node.GetMethod("AddAttribute", Any, [typeof(string), valueType]), $"OnnxNode.AddAttribute(string, {valueType.Name})");
    }
}
