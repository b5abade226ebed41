// Linear-probe reward model on a frozen SFT model: a Bradley-Terry logistic regression on the end-of-text hidden state (or
// the SFT log-probability of the response) of the training pairs, scored against the gold order on the held-out pairs. Does the
// backbone carry the knowledge a trained reward model misses? Run from the repository root after building:
//   dotnet fsi docs/scripts/reward-linear-probe.fsx data/checkpoints/sft
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/TorchSharp.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Microsoft.ML.Tokenizers.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Rlhf.dll"
open Rlhf.Checkpoints
open Rlhf.Text
open Rlhf.Data
open Rlhf.Training
open TorchSharp
Rlhf.Torch.TorchRuntime.Init() |> ignore
let folder = fsi.CommandLineArgs.[1]
let model = Checkpoint.LoadGpt(folder)
model.eval()
let template = ChatTemplate(TextTokenizer.Load(folder))
/// One conversation's features: its end-of-text hidden state (C) and the SFT log-probability of its response (sum, per token).
let features (e: ChatExample) =
  use _ = torch.no_grad()
  use scope = torch.NewDisposeScope()
  let ids = torch.tensor(e.InputIds |> Array.map int64).unsqueeze(0)                    // (1, T)
  let hidden = model.HiddenStates(ids)                                                    // (1, T, C)
  let struct (sum, tokens) = ResponseLogProbs.Summed(model.Logits(hidden), ids, torch.tensor(e.LossMask).unsqueeze(0)) // (1), (1)
  let logp = sum.item<float32>()
  Array.append (hidden.[0, -1L].data<float32>().ToArray()) [| logp; logp / tokens.item<float32>() |]
let load file =
  let pairs = SeedFormats.LoadPairwise(file).Records |> Seq.map (fun p -> PreferenceExample.Encode(p, template, 160)) |> Seq.toArray
  pairs, pairs |> Array.map (fun p -> features p.Chosen), pairs |> Array.map (fun p -> features p.Rejected)
let _, trainChosen, trainRejected = load "data/tinyworld/preferences_pairwise.jsonl"
let heldOut, evalChosen, evalRejected = load "data/tinyworld/eval_preferences_pairwise.jsonl"
let width = trainChosen.[0].Length
for (name, columns) in [ ("hidden state", [0 .. width - 3]); ("log-prob only", [width - 2; width - 1]) ] do
  let pick (rows: float32[][]) =
    torch.tensor(rows |> Array.collect (fun r -> columns |> List.map (fun c -> r.[c]) |> Array.ofList),
                 dimensions = System.ReadOnlySpan<int64>([| int64 rows.Length; int64 columns.Length |]))
  let both = torch.cat(ResizeArray [pick trainChosen; pick trainRejected], 0L)
  let mean, std = both.mean([| 0L |]), both.std([| 0L |]) + 1e-6
  let standard rows = (pick rows - mean) / std
  let diff = standard trainChosen - standard trainRejected                              // (N, F)
  // Bradley-Terry logistic regression by gradient descent: mean -log sigmoid(diff . w) + 1e-3 |w|^2.
  let mutable w = torch.zeros([| int64 columns.Length |])
  for _ in 1 .. 800 do
    use gradient = -(diff * torch.sigmoid(-diff.matmul(w)).unsqueeze(1)).mean([| 0L |]) + 2e-3f * w
    let next = w - 0.5f * gradient
    w.Dispose(); w <- next
  let rewards rows = (standard rows).matmul(w).data<float32>().ToArray() |> Array.map float
  let evaluation = PreferenceEvaluation(rewards evalChosen, rewards evalRejected,
                                        heldOut |> Array.map (fun p -> p.GoldChosen), heldOut |> Array.map (fun p -> p.GoldRejected))
  printfn "%-14s held-out accuracy vs labels %.3f, vs gold %.3f (%d pairs with a gold order)" name evaluation.Accuracy evaluation.GoldAccuracy evaluation.GoldPairs
