// The runtime honours this attribute: it lets this assembly call the ML.NET internals it was compiled against, for
// saving and loading ImagePixelLoadingTransformer (build/PublicizedMlNet.targets, docs/ARCHITECTURE.md "Persistence").
// The attribute type is MlNetMlp's (Persistence/IgnoresAccessChecksTo.cs), visible here through InternalsVisibleTo.
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]
