namespace MlNetMlp;

/// <summary>Wording of argument exceptions that are passed on inside another message.</summary>
internal static class ArgumentMessages
{
    /// <summary>
    /// <paramref name="e"/>'s own message without what .NET appends to it (" (Parameter 'x')", "Actual value was y."), for
    /// quoting it in a message that names the parameter itself.
    /// </summary>
    public static string Bare(ArgumentException e)
    {
        string text = e.Message;
        if (e.ParamName is string name)
        {
            int suffix = text.IndexOf($" (Parameter '{name}')", StringComparison.Ordinal);
            if (suffix >= 0) return text[..suffix];
        }
        int actual = text.IndexOf(Environment.NewLine + "Actual value was ", StringComparison.Ordinal);
        return actual >= 0 ? text[..actual] : text;
    }
}
