// Held-out accuracy against gold of each reward model, of their ensemble (the mean of the normalised rewards, as
// RewardEnsemble scores) and of their weight average (WARM, Ramé et al. 2024: ONE model whose parameters are the means of
// the models', all fine-tuned from the same SFT initialisation). Run from the repository root after building:
//   dotnet fsi docs/scripts/reward-ensemble-accuracy.fsx data/checkpoints/rm out/rm-1235 out/rm-1236
// With `--save OUT` after the folders, the weight average is also written to OUT as a reward checkpoint (for `rlhf ppo
// --set reward_checkpoint=OUT`), normalised like `rlhf rm` does: mean and std of its raw reward over the shipped SFT model's
// samples (T = 1) on the first 256 prompts of rl_prompts.txt.
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/TorchSharp.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Microsoft.ML.Tokenizers.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Rlhf.dll"
open Rlhf.Models
open Rlhf.Training
open Rlhf.Text
open Rlhf.Data
open Rlhf.Checkpoints
open TorchSharp
Rlhf.Torch.TorchRuntime.Init() |> ignore
let args = fsi.CommandLineArgs.[1..]
let folders, saveTo = match Array.tryFindIndex ((=) "--save") args with
                      | Some i -> args.[.. i - 1], Some args.[i + 1]
                      | None -> args, None
let mutable sumC, sumR = None, None
let mutable pairsOpt = None
let models = folders |> Array.map (fun f -> RewardModel.Load(f))
for f, rm in Array.zip folders models do
  let template = ChatTemplate(rm.Tokenizer)
  let pairs = SeedFormats.LoadPairwise("data/tinyworld/eval_preferences_pairwise.jsonl").Records |> Seq.map (fun p -> PreferenceExample.Encode(p, template, 160)) |> Seq.toArray
  pairsOpt <- Some pairs
  let ev = PreferenceEvaluation.Score(rm.Model, pairs, rm.Tokenizer.PadId)
  let n = rm.Normalization
  let c = ev.ChosenRewards |> Seq.map (fun r -> n.Apply r) |> Seq.toArray
  let r = ev.RejectedRewards |> Seq.map (fun r -> n.Apply r) |> Seq.toArray
  printfn "%s gold %.3f" f ev.GoldAccuracy
  sumC <- Some (match sumC with None -> c | Some s -> Array.map2 (+) s c)
  sumR <- Some (match sumR with None -> r | Some s -> Array.map2 (+) s r)
let pairs = pairsOpt.Value
let ev = PreferenceEvaluation(sumC.Value, sumR.Value, pairs |> Array.map (fun p -> p.GoldChosen), pairs |> Array.map (fun p -> p.GoldRejected))
printfn "ensemble of %d: gold %.3f labels %.3f" folders.Length ev.GoldAccuracy ev.Accuracy
let averaged = RewardModel.Load(folders.[0])
begin
  use _ = torch.no_grad()
  let parameters = models |> Array.map (fun m -> dict [ for struct (n, p) in m.Model.named_parameters() -> n, p ])
  for struct (name, p) in averaged.Model.named_parameters() do
    p.copy_((parameters |> Array.map (fun d -> d.[name].to_type(torch.ScalarType.Float32)) |> Array.reduce (+)) / float32 models.Length) |> ignore
end
let wa = PreferenceEvaluation.Score(averaged.Model, pairs, averaged.Tokenizer.PadId)
printfn "weight average of %d: gold %.3f labels %.3f" folders.Length wa.GoldAccuracy wa.Accuracy
match saveTo with
| Some out ->
  let prompts = RewardModelTraining.ReadPrompts("data/tinyworld/rl_prompts.txt") |> Seq.take 256 |> Seq.toArray
  let struct (_, raw) = RewardModelTraining.SampleRewards(Checkpoint.LoadGpt("data/checkpoints/sft"), averaged.Model, averaged.Tokenizer, prompts, RewardModelOptions())
  averaged.WithNormalization(RewardNormalization.FromSamples(raw)).Save(out)
  printfn "weight average written to %s" out
| None -> ()
