// Counterfactual minimal pairs for the reward model (after Kaushik et al. 2020, "Learning the difference that makes a
// difference with counterfactually-augmented data"): for every response in preferences_ranked.jsonl that the gold judge
// scores a short correct answer (1.0), add N pairs (that answer, the same text with only the value changed to a wrong
// one) to the training pairs. A fact's wrong value is another *training* fact's value of the relation, a number is one of
// the world's near misses (ResponseWriter.WrongNumberOffsets), and with "reverse" a reversal becomes the word itself or
// the reversal with two neighbouring letters swapped. Every value then appears on both sides of some pair, so a reward
// model cannot score an answer by its value alone; it has to check it against the question. Held-out files are copied
// unchanged. Run from the repository root after building:
//   dotnet fsi docs/scripts/contrast-pairs.fsx 2 out/world-contrast            # facts and numbers
//   dotnet fsi docs/scripts/contrast-pairs.fsx 2 out/world-contrast-r reverse  # and reversals
// then: dotnet run --project lib/Rlhf.Cli -- rm --set data_folder=out/world-contrast --out out/rm-contrast
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Microsoft.ML.Tokenizers.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Rlhf.dll"
open System.IO
open System.Text.RegularExpressions
open Rlhf.World
open Rlhf.Data
let perAnswer = int fsi.CommandLineArgs.[1]
let folder = fsi.CommandLineArgs.[2]
let withReverse = fsi.CommandLineArgs.Length > 3 && fsi.CommandLineArgs.[3] = "reverse"
let source = "data/tinyworld"
Directory.CreateDirectory(Path.Combine(folder, "tokenizer")) |> ignore
for file in [ "eval_preferences_pairwise.jsonl"; "eval_prompts.txt"; "rl_prompts.txt"; "corpus.jsonl"; "preferences_ranked.jsonl" ] do
  File.Copy(Path.Combine(source, file), Path.Combine(folder, file), true)
for file in Directory.GetFiles(Path.Combine(source, "tokenizer")) do
  File.Copy(file, Path.Combine(folder, "tokenizer", Path.GetFileName file), true)
let universe = TaskUniverse(1234UL, 0.2) // the default world's split (data --seed 1234)
let trainingValues relation =
  universe.Training(TaskKind.Fact) |> Seq.cast<FactTask> |> Seq.filter (fun t -> t.Fact.Relation = relation)
  |> Seq.map (fun t -> t.Fact.Value.English) |> Seq.distinct |> Seq.toArray
let random = System.Random(1234)
let pairs = ResizeArray<PreferencePair>(SeedFormats.LoadPairwise(Path.Combine(source, "preferences_pairwise.jsonl")).Records)
let mutable added = 0
for line in File.ReadAllLines(Path.Combine(source, "preferences_ranked.jsonl")) do
  let ranking = System.Text.Json.JsonDocument.Parse(line).RootElement
  let prompt = ranking.GetProperty("prompt").GetString()
  match WorldPrompts.Parse(prompt) |> Option.ofNullable with
  | None -> ()
  | Some struct (task, _) ->
    for response in ranking.GetProperty("responses").EnumerateArray() do
      let text = response.GetProperty("text").GetString()
      let verdict = GoldJudge.Score(task, text)
      if verdict.Verdict = Verdict.Correct && verdict.Score = 1.0 then
        let wrongs : string list =
          match task with
          | :? FactTask as f when f.Fact.Relation <> FactRelation.Legs ->
              let value = f.Fact.Value.English
              let others = trainingValues f.Fact.Relation |> Array.filter ((<>) value)
              [ for _ in 1 .. perAnswer -> text.Replace(value, others.[random.Next others.Length]) ]
          | :? ReverseWordTask as w when withReverse && text.Contains(w.Answer) ->
              [ for _ in 1 .. perAnswer ->
                  let wrong =
                    if random.Next 3 = 0 then w.Word
                    else
                      let letters = w.Answer.ToCharArray()
                      let swappable = [| for i in 0 .. letters.Length - 2 do if letters.[i] <> letters.[i + 1] then yield i |]
                      let at = swappable.[random.Next swappable.Length]
                      let c = letters.[at] in letters.[at] <- letters.[at + 1]; letters.[at + 1] <- c
                      System.String(letters)
                  text.Replace(w.Answer, wrong) ]
          | :? ArithmeticTask | :? CountLetterTask | :? FactTask ->
              let number = Regex.Matches(text, "[0-9]+") |> Seq.last
              let answer = int number.Value
              [ for _ in 1 .. perAnswer ->
                  let mutable wrong = -1
                  while wrong < 0 || wrong = answer do
                    wrong <- answer + ResponseWriter.WrongNumberOffsets.[random.Next ResponseWriter.WrongNumberOffsets.Count]
                  text.Substring(0, number.Index) + string wrong + text.Substring(number.Index + number.Length) ]
          | _ -> []
        for wrong in wrongs do
          if GoldJudge.Score(task, wrong).Verdict = Verdict.Wrong then // a swap that happens to be right again is dropped
            pairs.Add(PreferencePair(prompt, text, wrong))
            added <- added + 1
JsonlRecords.Write(Path.Combine(folder, "preferences_pairwise.jsonl"), pairs)
printfn "wrote %s: %d minimal pairs added to the %d training pairs" folder added (pairs.Count - added)
