// The namespaces nearly every command uses: the command line, ML.NET and the data sets.
global using System.CommandLine;
global using Microsoft.ML;
global using MlNetMlp.Data;
