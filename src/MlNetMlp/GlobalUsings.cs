// The training stack's namespaces, used by nearly every file of the library.
global using MlNetMlp.Numerics;
global using MlNetMlp.Tasks;
global using MlNetMlp.Training;
