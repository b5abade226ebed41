// Knowledge probe by likelihood: how often a checkpoint gives a held-out (and a training) sum a higher log-probability than each
// plausible wrong result (the world's own near misses), in reference-page form and in chat form, and how often the right
// result beats all of them; then the same for the fact questions in chat form, the right value against every other value of
// the relation ("The capital of Japan is Tokyo." against 22 other capitals). Run from the repository root after building:
//   dotnet fsi docs/scripts/knowledge-discrimination.fsx data/checkpoints/base [tokenizer folder, default: the checkpoint]
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/TorchSharp.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Microsoft.ML.Tokenizers.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Rlhf.dll"
open Rlhf.Checkpoints
open Rlhf.Text
open Rlhf.Training
open Rlhf.World
open TorchSharp
Rlhf.Torch.TorchRuntime.Init() |> ignore
let folder = fsi.CommandLineArgs.[1]
let model = Checkpoint.LoadGpt(folder)
model.eval()
let tok = TextTokenizer.Load(if fsi.CommandLineArgs.Length > 2 then fsi.CommandLineArgs.[2] else folder)
let u = TaskUniverse(1234UL, 0.2)
let score (texts: string[]) =
  use _ = torch.no_grad()
  texts |> Array.map (fun t ->
    use scope = torch.NewDisposeScope()
    let ids = torch.tensor(tok.Encode(t) |> Array.map int64).unsqueeze(0)                        // (1, T)
    let struct (sum, _) = ResponseLogProbs.Summed(model.forward(ids), ids, torch.ones_like(ids)) // log p of every token after the first
    float (sum.item<float32>()))
let wrongs (answer: int) (operands: int list) =
  ResponseWriter.WrongNumberOffsets |> Seq.map ((+) answer) |> Seq.filter (fun c -> c >= 0 && not (List.contains c operands)) |> Seq.toList
for held in [true; false] do
  let pool = (if held then u.HeldOut(TaskKind.Arithmetic) else u.Training(TaskKind.Arithmetic)) |> Seq.truncate 150 |> Seq.cast<ArithmeticTask> |> Seq.toList
  for (form, mk) in [ ("page", fun (t: ArithmeticTask) (n: int) -> sprintf "Quiz answers: %d %c %d = %d." t.Left t.Operator t.Right n)
                      ("chat", fun (t: ArithmeticTask) (n: int) -> sprintf "### Human: What is %d %c %d?\n### Assistant: The answer is %d." t.Left t.Operator t.Right n) ] do
    let mutable wins = 0
    let mutable total = 0
    let mutable top = 0
    for t in pool do
      let ws = wrongs t.Answer [t.Left; t.Right]
      let s = score (Array.ofList (mk t t.Answer :: (ws |> List.map (mk t))))
      for k in 1 .. s.Length - 1 do
        total <- total + 1
        if s.[0] > s.[k] then wins <- wins + 1
      if s.[1..] |> Array.forall (fun v -> s.[0] > v) then top <- top + 1
    printfn "held=%b %s: pairwise %.3f  best-of-candidates %.3f (%d tasks)" held form (float wins / float total) (float top / float pool.Length) pool.Length
for held in [true; false] do
  let pool = (if held then u.HeldOut(TaskKind.Fact) else u.Training(TaskKind.Fact)) |> Seq.cast<FactTask> |> Seq.toList
  let mutable wins = 0
  let mutable total = 0
  let mutable top = 0
  for t in pool do
    let f = t.Fact
    let say (v: Localized) =
      let answer = match f.Relation with
                   | FactRelation.Capital -> sprintf "The capital of %s is %s." f.Subject.English v.English
                   | FactRelation.Color -> sprintf "It is %s." v.English
                   | _ -> sprintf "%s legs." v.English
      sprintf "### Human: %s\n### Assistant: %s" (WorldPrompts.Render(t, WorldLanguage.English, 0)) answer
    let s = score (Array.ofList (say f.Value :: (KnowledgeTable.ValuesOf(f.Relation) |> Seq.filter ((<>) f.Value) |> Seq.map say |> Seq.toList)))
    for k in 1 .. s.Length - 1 do
      total <- total + 1
      if s.[0] > s.[k] then wins <- wins + 1
    if s.[1..] |> Array.forall (fun v -> s.[0] > v) then top <- top + 1
  printfn "held=%b facts chat: pairwise %.3f  best-of-candidates %d of %d" held (float wins / float total) top pool.Length
