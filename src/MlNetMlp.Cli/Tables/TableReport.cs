using Spectre.Console;

namespace MlNetMlp.Cli.Tables;

/// <summary>Prints what was detected and decided about a table before training: separator, header, task, and each column's role and handling.</summary>
internal static class TableReport
{
    public static void Print(TableSchema schema)
    {
        var file = schema.File;
        Terminal.Line($"{file.Path}: {file.Rows:N0} rows, {file.Columns.Count} columns");
        Terminal.Line($"separator: {DelimitedText.Name(file.Separator)} ({file.SeparatorReason})");
        Terminal.Line($"header: {(file.HasHeader ? "yes" : "no, columns named column1, column2, …")} ({file.HeaderReason})");
        Terminal.Line($"task: {TaskMetrics.Name(schema.Task)} ({schema.TaskReason})");
        if (Terminal.IsInteractive)
        {
            var table = new Table().AddColumn("column").AddColumn("role").AddColumn("how");
            foreach (var column in schema.Columns) table.AddRow(Markup.Escape(column.Name), column.Role, Markup.Escape(column.How));
            AnsiConsole.Write(table);
            return;
        }
        int width = Math.Min(30, schema.Columns.Max(c => c.Name.Length));
        Console.WriteLine($"  {"column".PadRight(width)}  {"role",-8}  how");
        foreach (var column in schema.Columns)
            Console.WriteLine($"  {column.Name.PadRight(width)}  {column.Role,-8}  {column.How}");
    }
}
