// WARM (Ramé et al. 2024, "WARM: On the Benefits of Weight Averaged Reward Models"): the held-out accuracy against gold of
// ONE reward model whose weights are the mean of several reward models fine-tuned from the same SFT initialisation (the
// first folder's model, its parameters replaced by the means). Run from the repository root after building:
//   dotnet fsi docs/scripts/reward-weight-average.fsx data/checkpoints/rm out/rm-1235 out/rm-1236
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/TorchSharp.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Microsoft.ML.Tokenizers.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Rlhf.dll"
open Rlhf.Models
open Rlhf.Training
open Rlhf.Text
open Rlhf.Data
open TorchSharp
Rlhf.Torch.TorchRuntime.Init() |> ignore
let folders = fsi.CommandLineArgs.[1..]
let models = folders |> Array.map (fun f -> RewardModel.Load(f))
let first = models.[0]
let template = ChatTemplate(first.Tokenizer)
let pairs = SeedFormats.LoadPairwise("data/tinyworld/eval_preferences_pairwise.jsonl").Records |> Seq.map (fun p -> PreferenceExample.Encode(p, template, 160)) |> Seq.toArray
let others = models |> Array.map (fun m -> dict [ for struct (n, p) in m.Model.named_parameters() -> n, p ])
begin
  use _ = torch.no_grad()
  for struct (name, p) in first.Model.named_parameters() do
    let mean = (others |> Array.map (fun d -> d.[name].to_type(torch.ScalarType.Float32)) |> Array.reduce (+)) / float32 others.Length
    p.copy_(mean) |> ignore
end
let ev = PreferenceEvaluation.Score(first.Model, pairs, first.Tokenizer.PadId)
printfn "weight average of %d: gold %.3f labels %.3f" folders.Length ev.GoldAccuracy ev.Accuracy
