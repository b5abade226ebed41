// Writes the default TinyWorld with a different number of preference prompts (everything else byte-identical: corpus, SFT
// data, held-out pairs, prompts, tokenizer). Run from the repository root after building:
//   dotnet fsi docs/scripts/preference-world.fsx 4000 out/world-4k
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Microsoft.ML.Tokenizers.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Rlhf.dll"
open Rlhf.World
let prompts = int fsi.CommandLineArgs.[1]
let folder = fsi.CommandLineArgs.[2]
TinyWorldWriter.Write(TinyWorldGenerator.Generate(TinyWorldOptions(PreferencePrompts = prompts)), folder, Rlhf.Text.BpeTrainerOptions()) |> ignore
printfn "wrote %s (%d preference prompts)" folder prompts
