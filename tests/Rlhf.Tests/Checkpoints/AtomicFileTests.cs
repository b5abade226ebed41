using Rlhf.Checkpoints;

namespace Rlhf.Tests.Checkpoints;

public class AtomicFileTests
{
    [Fact]
    public void Replacing_a_folder_drops_old_files_but_keeps_the_step_checkpoints()
    {
        var root = Directory.CreateTempSubdirectory("rlhf-atomic").FullName;
        try
        {
            var folder = Path.Combine(root, "sft");
            Directory.CreateDirectory(Path.Combine(folder, "checkpoints", "step-000010"));
            File.WriteAllText(Path.Combine(folder, "checkpoints", "step-000010", "model.safetensors"), "step 10");
            File.WriteAllText(Path.Combine(folder, "stale.json"), "old");

            AtomicFile.WriteFolder(folder, temporary => File.WriteAllText(Path.Combine(temporary, "model.safetensors"), "final"));

            Assert.Equal("final", File.ReadAllText(Path.Combine(folder, "model.safetensors")));
            Assert.False(File.Exists(Path.Combine(folder, "stale.json")));
            Assert.Equal("step 10", File.ReadAllText(Path.Combine(folder, "checkpoints", "step-000010", "model.safetensors")));
            Assert.Equal([folder], Directory.GetDirectories(root)); // no temporary or old folders left behind
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
