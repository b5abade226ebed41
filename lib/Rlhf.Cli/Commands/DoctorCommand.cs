using System.CommandLine;
using Rlhf.Torch;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf doctor</c>: can Torch run here, on which device, and how fast is a matmul.</summary>
static class DoctorCommand
{
    public static Command Create()
    {
        var seconds = new Option<double>("--seconds") { Description = "How long to time the matmul benchmark.", DefaultValueFactory = _ => 1.0 };
        var device = new Option<string?>("--device") { Description = $"auto, cpu, cuda or cuda:N (default: ${TorchRuntime.DeviceVariable} or auto)." };
        var command = new Command("doctor", "Check that TorchSharp loads, show versions, the chosen device and a matmul GFLOP/s figure.")
        {
            seconds, device,
        };
        command.SetAction(parse => Run(parse.GetValue(seconds), parse.GetValue(device)));
        return command;
    }

    static int Run(double seconds, string? device)
    {
        TorchEnvironment environment;
        double gflops;
        try
        {
            if (device is not null) TorchRuntime.SelectDevice(device);
            environment = TorchRuntime.Describe();
            gflops = TorchRuntime.MeasureMatmulGflops(TorchRuntime.Device, TimeSpan.FromSeconds(seconds));
        }
        catch (Exception e) when (e is TorchLoadException or InvalidOperationException or ArgumentException or TypeInitializationException or NotSupportedException)
        {
            AnsiConsole.MarkupLine("[red]Torch cannot run here.[/]");
            Console.Error.WriteLine(e is TypeInitializationException { InnerException: { } inner } ? inner.Message : e.Message);
            return 1;
        }

        var native = environment.Native;
        var table = new Table().Border(TableBorder.Rounded).AddColumn("check").AddColumn("result");
        table.AddRow(".NET", Markup.Escape(environment.DotnetVersion));
        table.AddRow("TorchSharp", Markup.Escape(environment.TorchSharpVersion));
        table.AddRow("libtorch", Markup.Escape(environment.LibTorchVersion));
        table.AddRow("device", Markup.Escape($"{environment.Device}: {environment.DeviceDescription}"));
        table.AddRow("native library", Markup.Escape(native.LoadedPath ?? "(platform default)"));
        table.AddRow("libstdc++ compatibility copy", native.UsedCompatibilityCopy
            ? Markup.Escape($"used: {string.Join("; ", native.Rewrites.Select(r => $"{r.From} -> {r.To}"))}; system {native.SystemLibStdCxx}")
            : "not needed");
        if (MklDispatch.Report is { } mkl) table.AddRow("MKL vendor patch", Markup.Escape($"{mkl.State}: {mkl.Detail}"));
        table.AddRow("float32 matmul 1024x1024", $"{gflops:F1} GFLOP/s");
        AnsiConsole.Write(table);
        return 0;
    }
}
