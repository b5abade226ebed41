using Rlhf.Data;

namespace Rlhf.World;

/// <summary>One generated world: every artefact <see cref="TinyWorldWriter"/> writes, in memory.</summary>
/// <param name="Options">The options it was generated with.</param>
/// <param name="Corpus">Pretraining documents.</param>
/// <param name="Sft">SFT examples on training prompts.</param>
/// <param name="Ranked">Annotator rankings on training prompts.</param>
/// <param name="Pairwise">All pairs of <paramref name="Ranked"/> (the ranked -> pairwise conversion).</param>
/// <param name="EvalPairwise">Annotator pairs on held-out prompts, for reward-model evaluation.</param>
/// <param name="RlPrompts">Training prompts for RL.</param>
/// <param name="EvalPrompts">Held-out prompts, grouped by task kind.</param>
/// <param name="Agreement">Agreement of <paramref name="Pairwise"/> with the gold order.</param>
/// <param name="EvalAgreement">Agreement of <paramref name="EvalPairwise"/> with the gold order.</param>
public sealed record TinyWorld(
    TinyWorldOptions Options,
    IReadOnlyList<string> Corpus,
    IReadOnlyList<SftExample> Sft,
    IReadOnlyList<RankedPreference> Ranked,
    IReadOnlyList<PreferencePair> Pairwise,
    IReadOnlyList<PreferencePair> EvalPairwise,
    IReadOnlyList<string> RlPrompts,
    IReadOnlyList<string> EvalPrompts,
    LabelAgreement Agreement,
    LabelAgreement EvalAgreement);
