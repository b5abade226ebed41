// Can a language model's own likelihood check held-out answers? For each held-out preference pair, three scores of each
// response under a frozen checkpoint: log p(response | prompt); PMI with an empty prompt, log p(y | x) - log p(y | "");
// and domain-conditional PMI (Holtzman et al. 2021, "Surface Form Competition"), log p(y | x) minus the log-mean-exp of
// log p(y | x') over 3 training prompts x' of the same task kind, which cancels how likely a response's *style* is.
// Prints each score's accuracy against the gold order (all pairs, and by the pair's two gold verdicts), then the reward
// model's, alone and with alpha * PMI added (alpha picked on held-out pairs here: an optimistic upper bound).
// Run from the repository root after building:
//   dotnet fsi docs/scripts/likelihood-verifier.fsx data/checkpoints/sft data/checkpoints/rm
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/TorchSharp.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Microsoft.ML.Tokenizers.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Rlhf.dll"
open Rlhf.Checkpoints
open Rlhf.Text
open Rlhf.Data
open Rlhf.Training
open Rlhf.Models
open Rlhf.World
open TorchSharp
Rlhf.Torch.TorchRuntime.Init() |> ignore
let model = Checkpoint.LoadGpt(fsi.CommandLineArgs.[1])
model.eval()
let template = ChatTemplate(TextTokenizer.Load(fsi.CommandLineArgs.[1]))
let rm = RewardModel.Load(fsi.CommandLineArgs.[2])
/// log p(response + end-of-text | prompt), summed over the response tokens.
let logp (prompt: string) (response: string) =
  use _ = torch.no_grad()
  use scope = torch.NewDisposeScope()
  let e = template.EncodeTraining(prompt, response, 160)
  let ids = torch.tensor(e.InputIds |> Array.map int64).unsqueeze(0)                          // (1, T)
  let mask = torch.tensor(e.LossMask |> Array.map int64).unsqueeze(0)                         // (1, T)
  let struct (sum, _) = ResponseLogProbs.Summed(model.forward(ids), ids, mask)
  float (sum.item<float32>())
let heldOut = SeedFormats.LoadPairwise("data/tinyworld/eval_preferences_pairwise.jsonl").Records |> Seq.toArray
let kindOf (prompt: string) = let r = WorldPrompts.Parse(prompt) in (let struct (t, _) = r.Value in t.Kind)
let random = System.Random(1)
let domainPrompts =
  SeedFormats.LoadPairwise("data/tinyworld/preferences_pairwise.jsonl").Records |> Seq.map (fun p -> p.Prompt) |> Seq.distinct
  |> Seq.groupBy kindOf |> Seq.map (fun (k, ps) -> k, Array.ofSeq ps) |> dict
let scores (prompt: string) (response: string) =
  let c = logp prompt response
  let pool = domainPrompts.[kindOf prompt]
  let others = [ for _ in 1 .. 3 -> logp pool.[random.Next pool.Length] response ]
  let top = List.max others
  [| c; c - logp "" response; c - (top + log (others |> List.averageBy (fun v -> exp (v - top)))) |]
let chosen, rejected = heldOut |> Array.map (fun p -> scores p.Prompt p.Chosen, scores p.Prompt p.Rejected) |> Array.unzip
let rmEval = PreferenceEvaluation.Score(rm.Model, heldOut |> Array.map (fun p -> PreferenceExample.Encode(p, ChatTemplate(rm.Tokenizer), 160)), rm.Tokenizer.PadId)
let gold = heldOut |> Array.map (fun p -> GoldJudge.Score(p.Prompt, p.Chosen), GoldJudge.Score(p.Prompt, p.Rejected))
let ordered = [| for i in 0 .. heldOut.Length - 1 do if (fst gold.[i]).Score <> (snd gold.[i]).Score then yield i |]
let verdicts i = let a, b = string (fst gold.[i]).Verdict, string (snd gold.[i]).Verdict in if a < b then a + "|" + b else b + "|" + a
let report name (score: int -> float * float) =
  let right i = let c, r = score i in sign (c - r) = sign ((fst gold.[i]).Score - (snd gold.[i]).Score)
  let rate (idx: int[]) = float (idx |> Array.filter right).Length / float idx.Length
  let groups = ordered |> Array.groupBy verdicts |> Array.filter (fun (_, idx) -> idx.Length >= 30) |> Array.sortBy fst
  printfn "%-24s all %.3f | %s" name (rate ordered) (groups |> Array.map (fun (k, idx) -> sprintf "%s %.2f" k (rate idx)) |> String.concat "; ")
report "log p(y|x)" (fun i -> chosen.[i].[0], rejected.[i].[0])
report "PMI, empty prompt" (fun i -> chosen.[i].[1], rejected.[i].[1])
report "PMI, domain prompts" (fun i -> chosen.[i].[2], rejected.[i].[2])
report "reward model" (fun i -> rmEval.ChosenRewards.[i], rmEval.RejectedRewards.[i])
for alpha in [ 0.01; 0.03; 0.1; 0.3 ] do
  for s, name in [ 1, "empty"; 2, "domain" ] do
    report (sprintf "rm + %.2f PMI %s" alpha name) (fun i -> rmEval.ChosenRewards.[i] + alpha * chosen.[i].[s], rmEval.RejectedRewards.[i] + alpha * rejected.[i].[s])
