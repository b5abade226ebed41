using System.Text;

namespace Rlhf.Notebooks;

/// <summary>Console.Out / Console.Error while a cell runs: everything written becomes the cell's stream output.</summary>
sealed class CapturingWriter(CellOutputs outputs, string stream) : TextWriter
{
    public override Encoding Encoding => Encoding.UTF8;
    public override void Write(char value) => outputs.Write(stream, value.ToString());
    public override void Write(string? value) => outputs.Write(stream, value ?? "");
    public override void Write(char[] buffer, int index, int count) => outputs.Write(stream, new string(buffer, index, count));
}
