using Rlhf.Generation;
using Rlhf.Models;
using Rlhf.Tests.Models;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Generation;

public class GenerationEngineTests
{
    const int EndOfText = 9, Pad = 0;

    public GenerationEngineTests() => TorchRuntime.Init();

    static readonly int[][] Prompts = [[3, 4, 5], [7], [11, 12, 13, 14, 15]];

    static GenerationOptions Sampled(long seed = 0) => new() { MaxNewTokens = 8, Seed = seed, Sampling = new() { Temperature = 1.0 } };
    static GenerationOptions Greedy(bool cache = true) => new() { MaxNewTokens = 8, Sampling = SamplingOptions.GreedyDecoding, UseKvCache = cache };

    static long[] Tokens(GenerationResult result) => result.ResponseIds.cpu().data<long>().ToArray();

    [Fact]
    public void Generating_on_one_cpu_thread_gives_the_same_tokens_and_restores_the_thread_count()
    {
        using var model = TinyModels.Gpt();
        var engine = new GenerationEngine(model);
        int before = get_num_threads();
        using var oneThread = engine.Generate(Prompts, Sampled(seed: 3) with { CpuThreads = 1 }, EndOfText, Pad);
        Assert.Equal(before, get_num_threads());
        using var torchDefault = engine.Generate(Prompts, Sampled(seed: 3) with { CpuThreads = 0 }, EndOfText, Pad);
        Assert.Equal(Tokens(torchDefault), Tokens(oneThread));
        var logProbs = oneThread.LogProbs.cpu().data<float>().ToArray();
        var reference = torchDefault.LogProbs.cpu().data<float>().ToArray();
        Assert.All(logProbs.Zip(reference), p => Assert.True(Math.Abs(p.First - p.Second) < 1e-4));
        Assert.Contains("cpu_threads", Assert.Throws<ArgumentException>(() => new GenerationOptions { CpuThreads = -1 }.Validate()).Message);
    }

    [Fact]
    public void Tokens_after_the_first_end_of_text_are_padding_and_masked()
    {
        using var scope = NewDisposeScope();
        var model = new ScriptedModel(10, [5, EndOfText, 7, 8], [6, 6, 6, 6]);
        using var result = new GenerationEngine(model).Generate([[1, 2], [3]], new GenerationOptions { MaxNewTokens = 4 }, EndOfText, Pad);
        Assert.Equal([5L, EndOfText, Pad, Pad, 6, 6, 6, 6], Tokens(result));
        Assert.Equal([1L, 1, 0, 0, 1, 1, 1, 1], result.ResponseMask.cpu().data<long>().ToArray());
        var logProbs = result.LogProbs.cpu().data<float>().ToArray();
        Assert.Equal([0f, 0f], logProbs[2..4]);
        Assert.All(logProbs[..2].Concat(logProbs[4..]), lp => Assert.InRange(lp, -1e-5, 0)); // scripted tokens are near-certain
        var rows = result.Sequences();
        Assert.Equal([1, 2], rows[0].PromptIds);
        Assert.Equal([3], rows[1].PromptIds);
        Assert.Equal([5, EndOfText], rows[0].GeneratedIds);
        Assert.True(rows[0].EndedWithEndOfText);
        Assert.False(rows[1].EndedWithEndOfText);
        Assert.Equal([1L, 2, Pad, 3], result.PromptIds.cpu().data<long>().ToArray());
    }

    [Fact]
    public void Generation_stops_once_every_row_has_ended()
    {
        using var scope = NewDisposeScope();
        var model = new ScriptedModel(10, [4, EndOfText], [EndOfText]);
        using var result = new GenerationEngine(model).Generate([[1], [2]], new GenerationOptions { MaxNewTokens = 50 }, EndOfText, Pad);
        Assert.Equal(2, result.Steps);
        Assert.Equal(2, model.Calls); // the prompt, then one step
        Assert.Equal([4L, EndOfText, EndOfText, Pad], Tokens(result));
    }

    [Fact]
    public void Prompts_are_left_padded()
    {
        using var scope = NewDisposeScope();
        var (ids, mask) = GenerationEngine.LeftPad([[1, 2, 3], [4]], Pad, TorchRuntime.Device);
        Assert.Equal([1L, 2, 3, Pad, Pad, 4], ids.cpu().data<long>().ToArray());
        Assert.Equal([1L, 1, 1, 0, 0, 1], mask.cpu().data<long>().ToArray());
        Assert.Throws<ArgumentException>(() => GenerationEngine.LeftPad([[1], []], Pad, TorchRuntime.Device));
        // The engine reads the caller's tensors and leaves them alive and unchanged.
        using (new GenerationEngine(new ScriptedModel(10, [EndOfText], [EndOfText])).Generate(ids, mask, new GenerationOptions(), EndOfText, Pad)) { }
        Assert.Equal([1L, 2, 3, Pad, Pad, 4], ids.cpu().data<long>().ToArray());
        Assert.Equal([1L, 1, 1, 0, 0, 1], mask.cpu().data<long>().ToArray());
    }

    [Fact]
    public void A_mock_with_fixed_logits_pins_top_k_in_the_engine()
    {
        using var scope = NewDisposeScope();
        var model = new FixedLogitsModel([0, 3, 1, 2.5f, -1, 0.5f]);
        var options = new GenerationOptions { MaxNewTokens = 30, Sampling = new() { TopK = 2 } };
        using var result = new GenerationEngine(model).Generate(Enumerable.Repeat<IReadOnlyList<int>>([0], 16).ToList(), options, endOfTextId: 5, Pad);
        Assert.Equal(30, result.Steps);
        Assert.Equal([1L, 3L], Tokens(result).Distinct().Order());
    }

    [Fact]
    public void A_mock_with_fixed_logits_pins_top_p_in_the_engine()
    {
        using var scope = NewDisposeScope();
        var model = new FixedLogitsModel([MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.15f), MathF.Log(0.05f)]);
        var options = new GenerationOptions { MaxNewTokens = 30, Sampling = new() { TopP = 0.7 } };
        using var result = new GenerationEngine(model).Generate(Enumerable.Repeat<IReadOnlyList<int>>([0], 16).ToList(), options, endOfTextId: 3, Pad);
        Assert.Equal([0L, 1L], Tokens(result).Distinct().Order()); // the smallest set reaching 0.7 is {0, 1}
    }

    [Fact]
    public void Greedy_output_is_the_same_with_and_without_the_cache()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Gpt();
        var engine = new GenerationEngine(model);
        using var cached = engine.Generate(Prompts, Greedy(cache: true), EndOfText, Pad);
        using var uncached = engine.Generate(Prompts, Greedy(cache: false), EndOfText, Pad);
        Assert.Equal(Tokens(uncached), Tokens(cached));
        Assert.True(cached.LogProbs.allclose(uncached.LogProbs, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Temperature_zero_is_deterministic_greedy_decoding()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Gpt();
        var engine = new GenerationEngine(model);
        var zero = Sampled() with { Sampling = new() { Temperature = 0 } };
        using var a = engine.Generate(Prompts, zero, EndOfText, Pad);
        using var b = engine.Generate(Prompts, zero with { Seed = 123 }, EndOfText, Pad);
        using var greedy = engine.Generate(Prompts, Greedy(), EndOfText, Pad);
        Assert.Equal(Tokens(a), Tokens(b));
        Assert.Equal(Tokens(greedy), Tokens(a));
    }

    [Fact]
    public void The_same_seed_gives_the_same_tokens_and_another_seed_other_tokens()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Gpt();
        var engine = new GenerationEngine(model);
        using var first = engine.Generate(Prompts, Sampled(seed: 1), EndOfText, Pad);
        using var again = engine.Generate(Prompts, Sampled(seed: 1), EndOfText, Pad);
        using var other = engine.Generate(Prompts, Sampled(seed: 2), EndOfText, Pad);
        Assert.Equal(Tokens(first), Tokens(again));
        Assert.True(first.LogProbs.eq(again.LogProbs).all().item<bool>());
        Assert.NotEqual(Tokens(first), Tokens(other));
    }

    [Fact]
    public void A_left_padded_batch_generates_what_each_prompt_generates_alone()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Gpt();
        var engine = new GenerationEngine(model);
        var options = Greedy() with { MaxNewTokens = 6 };
        using var batch = engine.Generate(Prompts, options, endOfTextId: 999, Pad);
        var rows = batch.Sequences();
        for (int i = 0; i < Prompts.Length; i++)
        {
            using var alone = engine.Generate([Prompts[i]], options, endOfTextId: 999, Pad);
            Assert.Equal(alone.Sequences()[0].ResponseIds, rows[i].ResponseIds);
            Assert.Equal(alone.Sequences()[0].LogProbs, rows[i].LogProbs, (x, y) => Math.Abs(x - y) < 1e-5);
        }
    }

    [Fact]
    public void Log_probs_match_a_teacher_forced_pass_over_the_generated_sequences()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Gpt();
        const double temperature = 0.8;
        var options = new GenerationOptions { MaxNewTokens = 10, Seed = 4, Sampling = new() { Temperature = temperature, TopK = 10, TopP = 0.95 } };
        // Call the token row 0 draws at step 3 end-of-text: the same seed then ends row 0 early, so the mask matters.
        int endOfText;
        using (var probe = new GenerationEngine(model).Generate(Prompts, options, endOfTextId: 999, Pad))
            endOfText = probe.Sequences()[0].ResponseIds[3];
        using var result = new GenerationEngine(model).Generate(Prompts, options, endOfText, Pad);
        int p = (int)result.PromptIds.shape[1], n = result.Steps;
        var logits = model.forward(result.SequenceIds(), result.SequenceMask()); // (B, P + N, V)
        var predicting = logits.narrow(1, p - 1, n) / temperature; // logits that predicted each response token
        var expected = predicting.log_softmax(-1).gather(2, result.ResponseIds.unsqueeze(2)).squeeze(2) * result.ResponseMask;
        var diff = (expected - result.LogProbs).abs().max().item<float>();
        Assert.True(diff < 1e-5, $"log-probs differ from a teacher-forced pass by {diff}");
        Assert.True(result.ResponseMask.sum().item<long>() < result.ResponseMask.numel(), "no row ended early: the mask is not exercised");
    }

    [Fact]
    public void Generation_steps_leak_no_tensors()
    {
        using var model = TinyModels.Gpt();
        var recording = new RecordingModel(model);
        var engine = new GenerationEngine(recording);
        var stats = DisposeScopeManager.Statistics;
        var options = Sampled() with { MaxNewTokens = 20 };
        engine.Generate(Prompts, options, endOfTextId: 999, Pad).Dispose(); // warm-up
        long before = stats.ThreadTotalLiveCount;
        using (var result = engine.Generate(Prompts, options, endOfTextId: 999, Pad))
            Assert.Equal(20, result.Steps);
        Assert.Equal(before, stats.ThreadTotalLiveCount);
        var perStep = recording.LiveTensorsAtCall.Skip(recording.LiveTensorsAtCall.Count - 19).ToArray(); // the 19 single-token steps
        Assert.All(perStep, count => Assert.Equal(perStep[0], count));
    }

    [Fact]
    public void The_model_is_used_in_eval_mode_without_gradients_and_given_back_as_it_was()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Gpt(TinyModels.Config with { Dropout = 0.5 });
        model.train();
        var engine = new GenerationEngine(model);
        using var a = engine.Generate(Prompts, Greedy(), EndOfText, Pad);
        using var b = engine.Generate(Prompts, Greedy(), EndOfText, Pad);
        Assert.Equal(Tokens(a), Tokens(b)); // dropout off during generation
        Assert.True(model.training);
        Assert.False(a.LogProbs.requires_grad);
    }

    [Fact]
    public void Too_long_requests_and_bad_options_are_refused_with_the_numbers()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Gpt(); // context 32
        var engine = new GenerationEngine(model);
        var tooLong = Assert.Throws<ArgumentException>(() => engine.Generate(Prompts, Greedy() with { MaxNewTokens = 28 }, EndOfText, Pad));
        Assert.Contains("5 + max new tokens 28 = 33 exceeds the model's context length 32", tooLong.Message);
        var bad = Assert.Throws<ArgumentException>(() => engine.Generate(Prompts, Greedy() with { MaxNewTokens = 0 }, EndOfText, Pad));
        Assert.Equal("MaxNewTokens", bad.ParamName);
        var (ids, mask) = GenerationEngine.LeftPad(Prompts, Pad, TorchRuntime.Device);
        Assert.Contains("left padding", Assert.Throws<ArgumentException>(() => engine.Generate(ids, mask.flip(1), Greedy(), EndOfText, Pad)).Message);
    }
}
