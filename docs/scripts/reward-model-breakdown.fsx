// Reward-model accuracy against the gold order on the held-out pairs, by task kind and by the pair of gold verdicts.
// Run from the repository root after building: dotnet fsi docs/scripts/reward-model-breakdown.fsx data/checkpoints/rm
// A third argument names a task kind whose wrongly ordered pairs are listed (gold-preferred response first):
//   dotnet fsi docs/scripts/reward-model-breakdown.fsx data/checkpoints/rm data/tinyworld/eval_preferences_pairwise.jsonl Fact
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/TorchSharp.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Microsoft.ML.Tokenizers.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Rlhf.dll"
open Rlhf
open Rlhf.Models
open Rlhf.Training
open Rlhf.Text
open Rlhf.Data
open Rlhf.World
Rlhf.Torch.TorchRuntime.Init() |> ignore
let folder = fsi.CommandLineArgs.[1]
let file = if fsi.CommandLineArgs.Length > 2 then fsi.CommandLineArgs.[2] else "data/tinyworld/eval_preferences_pairwise.jsonl"
let rm = RewardModel.Load(folder)
let template = ChatTemplate(rm.Tokenizer)
let pairs = SeedFormats.LoadPairwise(file).Records |> Seq.map (fun p -> PreferenceExample.Encode(p, template, 160)) |> Seq.toArray
let ev = PreferenceEvaluation.Score(rm.Model, pairs, rm.Tokenizer.PadId)
printfn "overall gold acc %.3f  label acc %.3f" ev.GoldAccuracy ev.Accuracy
let kinds = pairs |> Array.map (fun p -> let r = WorldPrompts.Parse(p.Pair.Prompt) in (if r.HasValue then (let struct (t, _) = r.Value in string t.Kind) else "?"))
for k in Array.distinct kinds do
  let idx = [| for i in 0..pairs.Length-1 do if kinds.[i] = k && pairs.[i].GoldChosen.HasValue && pairs.[i].GoldChosen.Value <> pairs.[i].GoldRejected.Value then yield i |]
  let ok = idx |> Array.filter (fun i -> sign (ev.ChosenRewards.[i] - ev.RejectedRewards.[i]) = sign (pairs.[i].GoldChosen.Value - pairs.[i].GoldRejected.Value)) 
  let lab = idx |> Array.filter (fun i -> pairs.[i].GoldChosen.Value > pairs.[i].GoldRejected.Value)
  printfn "%-16s n=%4d rm-gold %.3f label-gold %.3f" k idx.Length (float ok.Length / float idx.Length) (float lab.Length / float idx.Length)
let vk (p: PreferenceExample) =
  let a = string (GoldJudge.Score(p.Pair.Prompt, p.Pair.Chosen).Verdict)
  let b = string (GoldJudge.Score(p.Pair.Prompt, p.Pair.Rejected).Verdict)
  if a < b then a + "|" + b else b + "|" + a
let vks = pairs |> Array.map vk
for k in Array.distinct vks |> Array.sort do
  let idx = [| for i in 0..pairs.Length-1 do if vks.[i] = k && pairs.[i].GoldChosen.HasValue && pairs.[i].GoldChosen.Value <> pairs.[i].GoldRejected.Value then yield i |]
  if idx.Length > 0 then
    let ok = idx |> Array.filter (fun i -> sign (ev.ChosenRewards.[i] - ev.RejectedRewards.[i]) = sign (pairs.[i].GoldChosen.Value - pairs.[i].GoldRejected.Value))
    printfn "%-30s n=%4d rm-gold %.3f" k idx.Length (float ok.Length / float idx.Length)
if fsi.CommandLineArgs.Length > 3 then
  let kind = fsi.CommandLineArgs.[3]
  for i in 0..pairs.Length-1 do
    let p = pairs.[i]
    if kinds.[i] = kind && p.GoldChosen.HasValue && p.GoldChosen.Value <> p.GoldRejected.Value
       && sign (ev.ChosenRewards.[i] - ev.RejectedRewards.[i]) <> sign (p.GoldChosen.Value - p.GoldRejected.Value) then
      let better, worse = if p.GoldChosen.Value > p.GoldRejected.Value then p.Pair.Chosen, p.Pair.Rejected else p.Pair.Rejected, p.Pair.Chosen
      printfn "miss: %s | gold prefers \"%s\" (%.1f) | reward model prefers \"%s\" (%.1f)" p.Pair.Prompt better (max p.GoldChosen.Value p.GoldRejected.Value) worse (min p.GoldChosen.Value p.GoldRejected.Value)
