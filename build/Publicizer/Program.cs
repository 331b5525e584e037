using Mono.Cecil;

// Usage: Publicizer <input.dll> <output.dll>
// Makes internal types and members public (private protected becomes protected) so that
// MlNetMlp can compile against ML.NET's model persistence API. Private members are left
// alone, which keeps names unambiguous. The output is a compile-time reference only: at run
// time the real assembly loads, and IgnoresAccessChecksTo lets MlNetMlp call its internals.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Publicizer <input.dll> <output.dll>");
    return 2;
}

var resolver = new DefaultAssemblyResolver();
resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(args[0]))!);
using (var assembly = AssemblyDefinition.ReadAssembly(args[0], new ReaderParameters { AssemblyResolver = resolver }))
{
    foreach (var type in assembly.MainModule.GetTypes())
    {
        if (type.IsNested)
        {
            if (type.IsNestedAssembly || type.IsNestedFamilyOrAssembly)
                type.IsNestedPublic = true;
        }
        else if (type.IsNotPublic)
        {
            type.IsPublic = true;
        }

        foreach (var method in type.Methods)
        {
            if (method.IsAssembly || method.IsFamilyOrAssembly) method.IsPublic = true;
            else if (method.IsFamilyAndAssembly) method.IsFamily = true;
        }

        foreach (var field in type.Fields)
        {
            if (field.IsAssembly || field.IsFamilyOrAssembly) field.IsPublic = true;
            else if (field.IsFamilyAndAssembly) field.IsFamily = true;
        }
    }

    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[1]))!);
    var temp = args[1] + ".tmp";
    assembly.Write(temp);
    File.Move(temp, args[1], overwrite: true);
}
return 0;
