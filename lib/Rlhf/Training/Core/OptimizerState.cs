using TorchSharp.Modules;

namespace Rlhf.Training;

/// <summary>Reads an optimizer's saved moments, turning a truncated or foreign file into an error that names it.</summary>
static class OptimizerState
{
    public static void Load(OptimizerHelper optimizer, string path)
    {
        try
        {
            optimizer.load_state_dict(path);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"'{path}' cannot be read ({e.Message}): the checkpoint is incomplete or corrupt; resume from an earlier one", e);
        }
    }
}
