// The reward-hacking runs of docs/results/07-pitfalls.md: each run's rollouts over its last three iterations (RM score, gold,
// length, KL; from its history.json), the held-out greedy gold of its final policy, and each fix's paired difference from
// the weak-KL run of the same seed (prompt by prompt, pooled over seeds).
// Run from the repository root after building: dotnet fsi docs/scripts/hacking-heldout.fsx OUT
// where OUT holds the run folders h-<run>-<seed> written by the commands on that page.
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/TorchSharp.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Microsoft.ML.Tokenizers.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Rlhf.dll"
open System.IO
open Rlhf.Checkpoints
open Rlhf.Evaluation
open Rlhf.Text
open Rlhf.Training
Rlhf.Torch.TorchRuntime.Init() |> ignore
let root = fsi.CommandLineArgs.[1]
let runs = [ "weak"; "kl02"; "lp005"; "lp01"; "ens"; "ensmin" ]
let seeds = [ "1234"; "7"; "11" ]
printfn "rollouts, mean of the last three iterations: RM score / gold / length / KL"
for run in runs do
  for seed in seeds do
    let history = Path.Combine(root, $"h-{run}-{seed}", "history.json")
    if File.Exists history then
      let s = PpoRunSummary.Of($"{run}-{seed}", MetricsHistory.Load(history))
      printfn "%-14s %6.2f  %.3f  %5.1f  %5.1f" s.Name s.RmScore s.Gold s.Length s.Kl
printfn "\nheld-out prompts, greedy"
let evaluator = PolicyEvaluator(TextTokenizer.Load("data/checkpoints/sft"), PolicyEvaluationOptions.Greedy)
let prompts = evaluator.LoadPrompts()
let evaluate (name: string) (folder: string) =
  use model = Checkpoint.LoadGpt(folder)
  let e = evaluator.Evaluate(name, model, prompts)
  printfn "%-14s gold %.3f ± %.3f  length %.1f" name e.Metrics.GoldScore.Mean e.Metrics.GoldScore.StandardError e.Metrics.LengthMean
  e.Samples |> Seq.map (fun s -> s.GoldScore) |> Seq.toArray
let sft = evaluate "sft" "data/checkpoints/sft"
let scores =
  dict [ for run in runs do
           for seed in seeds do
             let folder = Path.Combine(root, $"h-{run}-{seed}")
             if Directory.Exists folder then yield (run, seed), evaluate $"{run}-{seed}" folder ]
let paired (a: (string * string) -> float[]) (b: (string * string) -> float[]) =
  let diffs = [| for seed in seeds do yield! Array.map2 (-) (a ("", seed)) (b ("", seed)) |]
  let n = float diffs.Length
  let mean = Array.average diffs
  let sd = sqrt ((diffs |> Array.sumBy (fun d -> (d - mean) ** 2.0)) / (n - 1.0))
  mean, sd / sqrt n
let run name = fun (_, seed) -> scores.[(name, seed)]
let m, se = paired (run "weak") (fun _ -> sft)
printfn "\nweak KL - sft: %+.3f ± %.3f" m se
for fix in runs |> List.tail do
  if seeds |> List.forall (fun s -> scores.ContainsKey((fix, s))) then
    let m, se = paired (run fix) (run "weak")
    printfn "%-8s - weak KL: %+.3f ± %.3f (%+.1f s.e.)" fix m se (m / se)
