// Knowledge probe of a checkpoint: greedy completions of held-out capitals and sums (fact-list form, chat form, reference-page form).
// Run from the repository root after building: dotnet fsi docs/scripts/knowledge-probe.fsx data/checkpoints/base
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/TorchSharp.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Microsoft.ML.Tokenizers.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Rlhf.dll"
open Rlhf
open Rlhf.Checkpoints
open Rlhf.Text
open Rlhf.Generation
open Rlhf.World
Rlhf.Torch.TorchRuntime.Init() |> ignore
let folder = fsi.CommandLineArgs.[1]
let model = Checkpoint.LoadGpt(folder)
let tok = TextTokenizer.Load(if fsi.CommandLineArgs.Length > 2 then fsi.CommandLineArgs.[2] else folder)
let u = TaskUniverse(1234UL, 0.2)
let probe (name: string) (items: (string * string) list) =
  let prompts = items |> List.map (fun (p, _) -> tok.Encode(p) :> System.Collections.Generic.IReadOnlyList<int>) |> List.toArray
  let engine = GenerationEngine(model)
  use r = engine.Generate(prompts, GenerationOptions(MaxNewTokens = 6, Sampling = SamplingOptions(Greedy = true)), tok.EndOfTextId, tok.PadId)
  let ids = r.ResponseIds.data<int64>().ToArray()
  let steps = r.Steps
  let mutable ok = 0
  items |> List.iteri (fun i (p, a) ->
      let text = tok.Decode(ids.[i*steps .. i*steps+steps-1] |> Array.map int, true)
      if System.Text.RegularExpressions.Regex.IsMatch(text, "(^|[^0-9A-Za-z])" + System.Text.RegularExpressions.Regex.Escape(a) + "([^0-9A-Za-z]|$)") then ok <- ok + 1
      if i < 3 then printfn "  %s -> %s (want %s)" p text a)
  printfn "%s: %d/%d" name ok items.Length
for held in [true; false] do
  let pool k = if held then u.HeldOut(k) else u.Training(k)
  let facts = [ for t in pool TaskKind.Fact do match t with | :? FactTask as f when f.Fact.Relation = FactRelation.Capital -> yield (sprintf "The capital of %s is" f.Fact.Subject.English, f.Fact.Value.English) | _ -> () ]
  probe (sprintf "capitals held=%b" held) facts
  let arith = [ for t in pool TaskKind.Arithmetic do match t with | :? ArithmeticTask as a -> yield (sprintf "### Human: What is %d %c %d?\n### Assistant:" a.Left a.Operator a.Right, string a.Answer) | _ -> () ] |> List.truncate 100
  probe (sprintf "arith held=%b" held) arith
let tableArith = [ for t in u.HeldOut(TaskKind.Arithmetic) do match t with | :? ArithmeticTask as a -> yield (sprintf "Quiz answers: %d %c %d =" a.Left a.Operator a.Right, string a.Answer) | _ -> () ] |> List.truncate 100
probe "table-form arith held" tableArith
