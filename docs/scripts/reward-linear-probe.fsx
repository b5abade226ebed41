// Linear-probe reward model on a frozen SFT model: a Bradley-Terry logistic regression on the end-of-text hidden state (and/or
// the SFT log-probability of the response) of the training pairs, scored against the gold order on the held-out pairs. Does the
// backbone carry the knowledge a trained reward model misses? Run from the repository root after building:
//   dotnet fsi docs/scripts/reward-linear-probe.fsx data/checkpoints/sft
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/TorchSharp.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Microsoft.ML.Tokenizers.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Rlhf.dll"
open Rlhf
open Rlhf.Checkpoints
open Rlhf.Text
open Rlhf.Data
open Rlhf.Training
open Rlhf.World
open TorchSharp
Rlhf.Torch.TorchRuntime.Init() |> ignore
let folder = fsi.CommandLineArgs.[1]
let model = Checkpoint.LoadGpt(folder)
model.eval()
let tok = TextTokenizer.Load(folder)
let template = ChatTemplate(tok)
let feats (e: ChatExample) =
  use _ = torch.no_grad()
  let ids = e.InputIds |> Array.map int64
  use x = torch.tensor(ids).unsqueeze(0)
  use h = model.HiddenStates(x)
  use logits = model.forward(x)
  use lp = torch.nn.functional.log_softmax(logits.narrow(1, 0, int64 ids.Length - 1L), -1)
  use tg = x.narrow(1, 1, int64 ids.Length - 1L)
  use tok = lp.gather(-1, tg.unsqueeze(-1)).squeeze(-1).squeeze(0)
  let mask = e.LossMask.[1..] |> Array.map float32
  use m = torch.tensor(mask)
  let s = (tok * m).sum().item<float32>()
  let n = mask |> Array.sum
  let last = h.[0, int64 ids.Length - 1L].data<float32>().ToArray()
  Array.append last [| s; s / n |]
let load file n =
  let pairs = SeedFormats.LoadPairwise(file).Records |> Seq.truncate n |> Seq.map (fun p -> PreferenceExample.Encode(p, template, 160)) |> Seq.toArray
  let fc = pairs |> Array.map (fun p -> feats p.Chosen)
  let fr = pairs |> Array.map (fun p -> feats p.Rejected)
  pairs, fc, fr
let trP, trC, trR = load "data/tinyworld/preferences_pairwise.jsonl" 6000
let evP, evC, evR = load "data/tinyworld/eval_preferences_pairwise.jsonl" 1200
let d = trC.[0].Length
for (name, cols) in [ ("hidden only", [0 .. d - 3]); ("logp only", [d - 2; d - 1]); ("hidden + logp", [0 .. d - 1]) ] do
  let pick (a: float32[][]) = torch.tensor(a |> Array.map (fun r -> cols |> List.map (fun c -> r.[c]) |> Array.ofList) |> Array.concat, dimensions = System.ReadOnlySpan<int64>([| int64 a.Length; int64 cols.Length |]))
  let xc, xr = pick trC, pick trR
  let mu = torch.cat(ResizeArray [xc; xr], 0L).mean([| 0L |])
  let sd = torch.cat(ResizeArray [xc; xr], 0L).std([| 0L |]) + 1e-6
  let zc, zr = (xc - mu) / sd, (xr - mu) / sd
  let mutable w = torch.zeros([| int64 cols.Length |])
  let n = float32 trP.Length
  for it in 1 .. 800 do
    use diff = zc - zr
    use m = diff.matmul(w)
    use p = torch.sigmoid(-m)
    // gradient of mean -log sigmoid(m) + 1e-3 |w|^2
    use g = -(diff * p.unsqueeze(1)).mean([| 0L |]) + 2e-3f * w
    let nw = w - 0.5f * g
    w.Dispose(); w <- nw
  let ec, er = (pick evC - mu) / sd, (pick evR - mu) / sd
  let sc = ec.matmul(w).data<float32>().ToArray()
  let sr = er.matmul(w).data<float32>().ToArray()
  let mutable ok = 0
  let mutable tot = 0
  evP |> Array.iteri (fun i p ->
    if p.GoldChosen.HasValue && p.GoldChosen.Value <> p.GoldRejected.Value then
      tot <- tot + 1
      if sign (sc.[i] - sr.[i]) = sign (p.GoldChosen.Value - p.GoldRejected.Value) then ok <- ok + 1)
  let tc = zc.matmul(w).data<float32>().ToArray()
  let tr = zr.matmul(w).data<float32>().ToArray()
  let tacc = (Array.map2 (fun a b -> if a > b then 1.0 else 0.0) tc tr |> Array.average)
  printfn "%-14s train label acc %.3f  held-out gold acc %.3f (%d pairs)" name tacc (float ok / float tot) tot
