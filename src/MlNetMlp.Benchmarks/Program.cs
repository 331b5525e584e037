using BenchmarkDotNet.Running;

// dotnet run -c Release --project src/MlNetMlp.Benchmarks -- [--filter *Forward*] (BenchmarkDotNet's arguments)
BenchmarkSwitcher.FromAssembly(typeof(MlNetMlp.Benchmarks.GemmBenchmarks).Assembly).Run(args);
