// Interleaved A/B of generation on one CPU thread against torch's threads (docs/benchmarks.md): 16 prompts x (32 + 64) tokens
// with the KV cache, 7 alternating runs each after a warm-up, medians. Run from the repository root after
// `dotnet build lib/Rlhf.Cli -c Release`: dotnet fsi docs/scripts/generation-threads-ab.fsx
#r "../../lib/Rlhf.Cli/bin/Release/net10.0/TorchSharp.dll"
#r "../../lib/Rlhf.Cli/bin/Release/net10.0/Microsoft.ML.Tokenizers.dll"
#r "../../lib/Rlhf.Cli/bin/Release/net10.0/Rlhf.dll"
open Rlhf.Models
open Rlhf.Generation
open TorchSharp
Rlhf.Torch.TorchRuntime.Init() |> ignore
let run (cfg: GptConfig) =
  torch.manual_seed(1L) |> ignore
  use model = new Gpt(cfg, Rlhf.Torch.TorchRuntime.Device)
  let engine = GenerationEngine(model)
  let rnd = System.Random(1)
  let prompts = [| for _ in 1..16 -> ([| for _ in 1..32 -> rnd.Next(1, cfg.VocabularySize - 2) |] :> System.Collections.Generic.IReadOnlyList<int>) |]
  let time threads =
    let sw = System.Diagnostics.Stopwatch.StartNew()
    use r = engine.Generate(prompts, GenerationOptions(MaxNewTokens = 64, Seed = 3L, CpuThreads = threads), cfg.VocabularySize - 1, cfg.VocabularySize - 2)
    16.0 * 64.0 / sw.Elapsed.TotalSeconds
  for t in [0; 1] do time t |> ignore
  let a = ResizeArray<float>()
  let b = ResizeArray<float>()
  for i in 1..7 do
    a.Add(time 0); b.Add(time 1)
  let med (x: ResizeArray<float>) = (x |> Seq.sort |> Seq.toArray).[x.Count / 2]
  printfn "%dx%d: torch threads (2): median %.0f tok/s %A | 1 thread: median %.0f %A" cfg.Layers cfg.EmbeddingSize (med a) (a |> Seq.map int |> Seq.toList) (med b) (b |> Seq.map int |> Seq.toList)
run (GptConfig(Layers = 4, Heads = 4, EmbeddingSize = 128, VocabularySize = 512, ContextLength = 128))
run (GptConfig(Layers = 6, Heads = 6, EmbeddingSize = 384, VocabularySize = 4096, ContextLength = 256))
