using Rlhf.Checkpoints;
using Rlhf.Generation;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.World;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>One completion of a group and what GRPO and RLOO make of it.</summary>
/// <param name="Completion">The sampled text.</param>
/// <param name="Reward">Its reward (the reward model's normalised score).</param>
/// <param name="Gold">The gold judge's score (never seen by training).</param>
/// <param name="GrpoAdvantage">(r - group mean) / (group std + 1e-4).</param>
/// <param name="RlooAdvantage">r - mean of the other completions' rewards.</param>
public sealed record GroupMember(string Completion, double Reward, double Gold, double GrpoAdvantage, double RlooAdvantage);

/// <summary>One prompt's group, sampled and scored as a GRPO step does, for reading by hand (notebook 08).</summary>
public static class GroupExample
{
    /// <summary>Samples <paramref name="size"/> completions of <paramref name="prompt"/> at temperature 1 (seed
    /// <paramref name="seed"/>), scores each with <paramref name="rewardModel"/>, and gives both advantages.</summary>
    public static IReadOnlyList<GroupMember> Sample(ICausalLanguageModel policy, TextTokenizer tokenizer, RewardModel rewardModel, string prompt,
        int size = 8, long seed = 1, int maxNewTokens = 32)
    {
        using var scope = NewDisposeScope();
        var ids = new ChatTemplate(tokenizer).EncodePrompt(prompt).InputIds;
        var options = new GenerationOptions { Sampling = new SamplingOptions { Temperature = 1.0 }, MaxNewTokens = maxNewTokens, Seed = seed };
        using var generated = new GenerationEngine(policy).Generate(Enumerable.Repeat((IReadOnlyList<int>)ids, size).ToList(), options,
            tokenizer.EndOfTextId, tokenizer.PadId);
        var texts = generated.Sequences().Select(s => tokenizer.Decode(s.GeneratedIds, skipSpecialTokens: true).Trim()).ToList();
        var rewards = rewardModel.Score(texts.Select(t => (prompt, t)).ToList());
        var asTensor = tensor(rewards.Select(r => (float)r).ToArray());
        var grpo = GroupAdvantages.GroupRelative(asTensor, size, RewardScaling.Group).data<float>().ToArray();
        var rloo = GroupAdvantages.LeaveOneOut(asTensor, size).data<float>().ToArray();
        return texts.Select((t, i) => new GroupMember(t, rewards[i], GoldJudge.Score(prompt, t).Score, grpo[i], rloo[i])).ToList();
    }
}
