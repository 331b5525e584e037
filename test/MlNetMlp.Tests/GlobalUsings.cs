// The library's training-stack namespaces (internals visible to the tests), as the library itself imports them.
global using MlNetMlp.Tasks;
global using MlNetMlp.Training;
