// Held-out accuracy against gold of each reward model and of their ensemble (the mean of the normalised rewards, as
// RewardEnsemble scores). Run from the repository root after building:
//   dotnet fsi docs/scripts/reward-ensemble-accuracy.fsx data/checkpoints/rm out/rm-1235 out/rm-1236
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/TorchSharp.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Microsoft.ML.Tokenizers.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Rlhf.dll"
open Rlhf.Models
open Rlhf.Training
open Rlhf.Text
open Rlhf.Data
Rlhf.Torch.TorchRuntime.Init() |> ignore
let folders = fsi.CommandLineArgs.[1..]
let mutable sumC, sumR = None, None
let mutable pairsOpt = None
for f in folders do
  let rm = RewardModel.Load(f)
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
