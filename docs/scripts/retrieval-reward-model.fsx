// A reward model that reads the answer's source: before each conversation, the corpus statements that best match the
// prompt are prepended ("Notes: ... Question: ..."), then the reward model is trained as `rlhf rm` trains it (same
// stage, options and pairs; the gold order is taken from the original prompt). Retrieval: the corpus's reference
// documents (fact lists, worked sums, letter counts, words backwards; never chat or Q&A text) are split into sentences;
// a sentence scores the summed IDF of the word tokens and token bigrams it shares with the prompt; among the sentences
// within one IDF unit of the best, the K most frequent are kept (the corpus states each fact many times, one in ten
// wrong, so the majority statement comes first). Prints how often the first note is itself a correct answer (gold judge),
// then held-out accuracy against gold, overall and by task kind / verdict pair. Run from the repository root after building:
//   dotnet fsi docs/scripts/retrieval-reward-model.fsx K STEPS SEED OUT [TRAINING PAIRS FILE]   e.g. 2 450 1234 out/rm-retrieval
// (the training pairs default to data/tinyworld/preferences_pairwise.jsonl; the held-out pairs are always the shipped ones)
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/TorchSharp.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Microsoft.ML.Tokenizers.dll"
#r "../../lib/Rlhf.Cli/bin/Debug/net10.0/Rlhf.dll"
open System
open System.Text.RegularExpressions
open Rlhf.Checkpoints
open Rlhf.Text
open Rlhf.Data
open Rlhf.Training
open Rlhf.Models
open Rlhf.World
open Rlhf.Torch
TorchRuntime.Init() |> ignore
let k, steps, seed, out = int fsi.CommandLineArgs.[1], int fsi.CommandLineArgs.[2], int fsi.CommandLineArgs.[3], fsi.CommandLineArgs.[4]
let isReference (d: string) = not (d.StartsWith "### Human") && not (d.StartsWith "Q:") && d.IndexOf(": ") > 0 && d.IndexOf(": ") < 40
let sentences =
  TextCorpus.Load("data/tinyworld/corpus.jsonl").Records |> Seq.filter isReference
  |> Seq.collect (fun d -> Regex.Split(d.Substring(d.IndexOf(": ") + 2), @"(?<=\.)\s+")) |> Seq.map (fun s -> s.Trim())
  |> Seq.filter (fun s -> s.Length > 3) |> Seq.toArray
let tokens (s: string) = [| for m in Regex.Matches(s.ToLowerInvariant(), "\"[^\"]*\"|\\d+|[a-z]+|[+\\-*/=]") -> m.Value |]
let sentenceTokens = sentences |> Array.map tokens
let documentFrequency = sentenceTokens |> Array.collect Array.distinct |> Array.countBy id |> dict
let idf t = match documentFrequency.TryGetValue t with | true, v -> log (float sentences.Length / float v) | _ -> 0.0
let index = sentenceTokens |> Array.mapi (fun i ts -> ts |> Array.distinct |> Array.map (fun t -> t, i)) |> Array.concat
            |> Array.groupBy fst |> Array.map (fun (t, xs) -> t, Array.map snd xs) |> dict
let retrieve (prompt: string) =
  let q = tokens prompt
  let qBigrams = Set.ofSeq (Seq.pairwise q)
  let scored =
    q |> Array.filter (fun t -> idf t > 2.0 && index.ContainsKey t) |> Array.collect (fun t -> index.[t]) |> Array.distinct
    |> Array.map (fun i ->
        let ts = sentenceTokens.[i]
        i, (Set.intersect (Set.ofArray q) (Set.ofArray ts) |> Seq.sumBy idf)
           + (Set.intersect qBigrams (Set.ofSeq (Seq.pairwise ts)) |> Seq.sumBy (fun (a, b) -> idf a + idf b)))
  if scored.Length = 0 then [||] else
  let best = scored |> Array.map snd |> Array.max
  scored |> Array.filter (fun (_, v) -> v >= best - 1.0) |> Array.countBy (fun (i, _) -> sentences.[i])
  |> Array.sortByDescending snd |> Array.map fst |> Array.truncate k
let augment (prompt: string) = match retrieve prompt with [||] -> prompt | notes -> sprintf "Notes: %s\nQuestion: %s" (String.Join(" ", notes)) prompt
let sft = "data/checkpoints/sft"
let policy = Checkpoint.LoadGpt(sft)
let tokenizer = TextTokenizer.Load(sft)
let template = ChatTemplate(tokenizer)
let maxLength = 224
let options = OptionsBinder.Bind(RewardModelOptions(), null, [ sprintf "max_length=%d" maxLength; "init_from=" + sft; "output_folder=" + out;
                                                                sprintf "training.seed=%d" seed; sprintf "training.max_steps=%d" steps ])
let encode (p: PreferencePair) =
  let a = augment p.Prompt
  PreferenceExample(p, template.EncodeTraining(a, p.Chosen, maxLength), template.EncodeTraining(a, p.Rejected, maxLength),
                    Nullable(GoldJudge.Score(p.Prompt, p.Chosen).Score), Nullable(GoldJudge.Score(p.Prompt, p.Rejected).Score))
let heldOutRecords = SeedFormats.LoadPairwise("data/tinyworld/eval_preferences_pairwise.jsonl").Records |> Seq.toArray
let helpfulPrompts = heldOutRecords |> Array.map (fun p -> p.Prompt) |> Array.distinct
                     |> Array.filter (fun p -> match WorldPrompts.Parse(p) with
                                               | r when r.HasValue -> (let struct (t, _) = r.Value in t.Kind = TaskKind.Arithmetic || t.Kind = TaskKind.Fact || t.Kind = TaskKind.ReverseWord || t.Kind = TaskKind.CountLetter)
                                               | _ -> false)
let firstNoteRight = helpfulPrompts |> Array.filter (fun p -> match retrieve p with [||] -> false | notes -> string (GoldJudge.Score(p, notes.[0]).Verdict) = "Correct")
printfn "held-out helpfulness prompts whose first note is a correct answer: %d of %d" firstNoteRight.Length helpfulPrompts.Length
let trainingFile = if fsi.CommandLineArgs.Length > 5 then fsi.CommandLineArgs.[5] else "data/tinyworld/preferences_pairwise.jsonl"
let train = SeedFormats.LoadPairwise(trainingFile).Records |> Seq.map encode |> Seq.toArray
let heldOut = heldOutRecords |> Array.map encode
Seeding.Seed(seed)
let model = new ScalarHeadModel(policy.Config)
model.LoadBackbone(policy)
let stage = RewardModelStage(options, model, tokenizer, train, heldOut)
Trainer<PreferenceBatch>(stage, options.Training, out).Train() |> ignore
let ev = stage.EvaluateHeldOut()
printfn "K %d, %d steps, seed %d: held-out accuracy against gold %.4f, against labels %.4f" k steps seed ev.GoldAccuracy ev.Accuracy
let keys = heldOut |> Array.map (fun p ->
  let a, b = string (GoldJudge.Score(p.Pair.Prompt, p.Pair.Chosen).Verdict), string (GoldJudge.Score(p.Pair.Prompt, p.Pair.Rejected).Verdict)
  let struct (task, _) = (WorldPrompts.Parse(p.Pair.Prompt)).Value
  [ string task.Kind; (if a < b then a + "|" + b else b + "|" + a) ])
for key in keys |> Array.toList |> List.concat |> List.distinct |> List.sort do
  let idx = [| for i in 0 .. heldOut.Length - 1 do if List.contains key keys.[i] && heldOut.[i].GoldChosen.Value <> heldOut.[i].GoldRejected.Value then yield i |]
  if idx.Length >= 20 then
    let right = idx |> Array.filter (fun i -> sign (ev.ChosenRewards.[i] - ev.RejectedRewards.[i]) = sign (heldOut.[i].GoldChosen.Value - heldOut.[i].GoldRejected.Value))
    printf "%s %d %.2f; " key idx.Length (float right.Length / float idx.Length)
printfn ""
