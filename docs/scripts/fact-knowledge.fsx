// Does a model know the held-out facts? For each fact question (first English template), the summed log-probability of
// "The capital of X is V." / "It is V." / "V legs." in chat form with the right value against every other value of the
// relation. Run from the repository root after building: dotnet fsi docs/scripts/fact-knowledge.fsx data/checkpoints/sft
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
let template = ChatTemplate(TextTokenizer.Load(folder))
let logp (prompt: string) (response: string) =
  use _ = torch.no_grad()
  use scope = torch.NewDisposeScope()
  let e = template.EncodeTraining(prompt, response, 160)
  let ids = torch.tensor(e.InputIds |> Array.map int64).unsqueeze(0)
  let struct (sum, _) = ResponseLogProbs.Summed(model.forward(ids), ids, torch.tensor(e.LossMask).unsqueeze(0))
  float (sum.item<float32>())
let universe = TaskUniverse(1234UL, 0.2)
for split, tasks in [ "held-out", universe.HeldOut(TaskKind.Fact); "training", universe.Training(TaskKind.Fact) ] do
  let mutable wins, total, top = 0, 0, 0
  for t in tasks do
    let f = (t :?> FactTask).Fact
    let prompt = WorldPrompts.Render(t, WorldLanguage.English, 0)
    let say (v: Localized) = match f.Relation with
                             | FactRelation.Capital -> sprintf "The capital of %s is %s." f.Subject.English v.English
                             | FactRelation.Color -> sprintf "It is %s." v.English
                             | _ -> sprintf "%s legs." v.English
    let right = logp prompt (say f.Value)
    let others = KnowledgeTable.ValuesOf(f.Relation) |> Seq.filter (fun v -> v <> f.Value) |> Seq.map (fun v -> logp prompt (say v)) |> Seq.toArray
    wins <- wins + (others |> Array.filter (fun o -> right > o) |> Array.length); total <- total + others.Length
    if others |> Array.forall (fun o -> right > o) then top <- top + 1
    if split = "held-out" then printfn "%s -> %s : beats %d/%d" prompt f.Value.English (others |> Array.filter (fun o -> right > o) |> Array.length) others.Length
  printfn "%s: right beats each wrong %.1f%%, beats all %d/%d" split (100.0 * float wins / float total) top tasks.Count
