using Rlhf.Training;
using Rlhf.World;

namespace Rlhf.Tests.Training;

/// <summary>A world folder's world.json: written by <see cref="TinyWorldWriter"/>, read back by <see cref="WorldFolder"/>.</summary>
public class WorldFolderTests
{
    [Fact]
    public void A_world_folder_names_the_options_that_made_it()
    {
        var folder = Directory.CreateTempSubdirectory("rlhf-world-json").FullName;
        try
        {
            Assert.Equal(OptionsBinder.ToJson(new TinyWorldOptions()), OptionsBinder.ToJson(WorldFolder.ReadOptions(folder))); // no world.json: default
            var options = new TinyWorldOptions { Seed = 7, IdealDemonstrationRate = 0.4, DemonstratorPadding = PaddingStyle.Courteous };
            var changes = OptionsChanges.Assignments(new TinyWorldOptions { Seed = 7 }, options);
            File.WriteAllText(Path.Combine(folder, TinyWorldWriter.WorldFile), TinyWorldWriter.WorldJson(options, changes));
            var read = WorldFolder.ReadOptions(folder);
            Assert.Equal(7UL, read.Seed);
            Assert.Equal(0.4, read.IdealDemonstrationRate);
            Assert.Equal(PaddingStyle.Courteous, read.DemonstratorPadding);
            Assert.Equal(OptionsBinder.ToJson(options), OptionsBinder.ToJson(read));

            File.WriteAllText(Path.Combine(folder, TinyWorldWriter.WorldFile), "{\"seed\": 7, \"language\": \"fr\"}");
            var error = Assert.Throws<InvalidDataException>(() => WorldFolder.ReadOptions(folder));
            Assert.Contains("world.json", error.Message);
            Assert.Contains("language", error.Message);
            File.WriteAllText(Path.Combine(folder, TinyWorldWriter.WorldFile), "{\"seed\": 7, \"language\": \"en\", \"changes\": [\"no_such_option=1\"]}");
            Assert.Contains("no_such_option", Assert.Throws<InvalidDataException>(() => WorldFolder.ReadOptions(folder)).Message);
        }
        finally { Directory.Delete(folder, true); }
    }
}
