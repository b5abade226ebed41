using System.Runtime.InteropServices;
using System.Text;

namespace Rlhf.Text;

/// <summary>
/// Learns a byte-level BPE vocabulary (Sennrich et al. 2016, "Neural Machine Translation of Rare Words
/// with Subword Units"; byte-level as in GPT-2) that <see cref="TextTokenizer"/> loads exactly like
/// GPT-2's own files.
/// </summary>
/// <remarks>
/// <para>The algorithm: cut the corpus into words with <see cref="Gpt2PreTokenizer"/> and count each
/// distinct word once; start every word as its UTF-8 bytes (token ids 0..255, in
/// <see cref="ByteLevelAlphabet"/> order); then repeatedly merge the most frequent adjacent pair
/// (counted over words, weighted by how often each word occurs) into a new token. Only the words that
/// contain the merged pair are rewritten, and pair counts change only by what those words lose and gain.</para>
/// <para>Ties: among pairs with the same count, the one with the smaller (left id, right id) wins, so the
/// result does not depend on the order of the texts or on hash order. The two special tokens come last:
/// end-of-text at id <c>VocabularySize - 2</c>, pad at <c>VocabularySize - 1</c> (when the size is reached).</para>
/// </remarks>
public static class BpeTrainer
{
    /// <summary>Trains a vocabulary on <paramref name="texts"/> (each text is pre-tokenised on its own).</summary>
    public static BpeTrainingResult Train(IEnumerable<string> texts, BpeTrainerOptions? options = null)
    {
        options = (options ?? new BpeTrainerOptions()).Validate();
        var (wordCounts, wordTotal) = CountWords(texts);

        var tokens = new List<string>(ByteLevelAlphabet.Symbols);
        var tokenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < tokens.Count; id++) tokenIds[tokens[id]] = id;
        var byteIds = new int[256];
        for (int b = 0; b < 256; b++) byteIds[b] = tokenIds[ByteLevelAlphabet.SymbolOf((byte)b).ToString()];

        // Words as symbol-id arrays; one-byte words can never merge and are left out of the pair table.
        var words = new List<int[]>();
        var frequencies = new List<long>();
        foreach (var (word, count) in wordCounts.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            var bytes = Encoding.UTF8.GetBytes(word);
            if (bytes.Length < 2) continue;
            words.Add(Array.ConvertAll(bytes, b => byteIds[b]));
            frequencies.Add(count);
        }

        var pairCounts = new Dictionary<long, long>();
        var wordsWithPair = new Dictionary<long, HashSet<int>>();
        var queue = new PriorityQueue<long, (long Count, long Pair)>(HigherCountThenSmallerPair.Instance);
        for (int w = 0; w < words.Count; w++)
        {
            var symbols = words[w];
            for (int i = 0; i + 1 < symbols.Length; i++)
            {
                long pair = PairKey(symbols[i], symbols[i + 1]);
                CollectionsMarshal.GetValueRefOrAddDefault(pairCounts, pair, out _) += frequencies[w];
                WordsWith(wordsWithPair, pair).Add(w);
            }
        }
        foreach (var (pair, count) in pairCounts) queue.Enqueue(pair, (count, pair));

        var merges = new List<BpeMerge>();
        int learnedTarget = options.VocabularySize - 2;
        var stopReason = BpeStopReason.VocabularySizeReached;
        var changes = new Dictionary<long, long>();
        while (tokens.Count < learnedTarget)
        {
            if (!TryTakeBest(queue, pairCounts, out long best, out long bestCount) || bestCount < options.MinPairCount)
            {
                stopReason = BpeStopReason.NoFrequentPairLeft;
                break;
            }
            int left = (int)(best >> 32), right = (int)(best & 0xFFFFFFFF);
            var merge = new BpeMerge(tokens[left], tokens[right]);
            merges.Add(merge);
            // Two merge paths can spell the same token ("a"+"bc" and "ab"+"c"): reuse its id.
            if (!tokenIds.TryGetValue(merge.Merged, out int merged))
            {
                merged = tokens.Count;
                tokens.Add(merge.Merged);
                tokenIds[merge.Merged] = merged;
            }

            changes.Clear();
            foreach (int w in wordsWithPair[best].ToArray())
            {
                var before = words[w];
                var after = MergeWord(before, left, right, merged);
                if (after is null) continue; // the pair left this word in an earlier merge
                long frequency = frequencies[w];
                for (int i = 0; i + 1 < before.Length; i++)
                    CollectionsMarshal.GetValueRefOrAddDefault(changes, PairKey(before[i], before[i + 1]), out _) -= frequency;
                for (int i = 0; i + 1 < after.Length; i++)
                {
                    long pair = PairKey(after[i], after[i + 1]);
                    CollectionsMarshal.GetValueRefOrAddDefault(changes, pair, out _) += frequency;
                    WordsWith(wordsWithPair, pair).Add(w);
                }
                words[w] = after;
            }
            foreach (var (pair, change) in changes)
            {
                if (change == 0) continue;
                ref long count = ref CollectionsMarshal.GetValueRefOrAddDefault(pairCounts, pair, out _);
                count += change;
                if (count > 0) queue.Enqueue(pair, (count, pair));
                else
                {
                    pairCounts.Remove(pair);
                    wordsWithPair.Remove(pair);
                }
            }
        }

        foreach (var special in new[] { options.EndOfTextToken, options.PadToken })
        {
            if (tokenIds.ContainsKey(special))
                throw new ArgumentException($"the special token '{special}' is also an ordinary token of this vocabulary; choose a different special token");
            tokens.Add(special);
        }
        var vocabulary = new BpeVocabulary(tokens, merges, options.EndOfTextToken, options.PadToken);
        return new BpeTrainingResult(vocabulary, stopReason, wordTotal, wordCounts.Count);
    }

    static (Dictionary<string, long> Counts, long Total) CountWords(IEnumerable<string> texts)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var bySpan = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        long total = 0;
        int index = 0;
        foreach (var text in texts)
        {
            if (text is null) throw new ArgumentException($"text {index} of the corpus is null", nameof(texts));
            foreach (var match in Gpt2PreTokenizer.Regex.EnumerateMatches(text))
            {
                CollectionsMarshal.GetValueRefOrAddDefault(bySpan, text.AsSpan(match.Index, match.Length), out _)++;
                total++;
            }
            index++;
        }
        return (counts, total);
    }

    /// <summary>Pops the pair with the highest current count, skipping entries made stale by later updates.</summary>
    static bool TryTakeBest(PriorityQueue<long, (long Count, long Pair)> queue, Dictionary<long, long> pairCounts, out long pair, out long count)
    {
        while (queue.TryDequeue(out pair, out var entry))
        {
            if (pairCounts.TryGetValue(pair, out count) && count == entry.Count) return true;
        }
        count = 0;
        return false;
    }

    /// <summary>Replaces each (left, right) in <paramref name="symbols"/>, scanning left to right without
    /// overlap ("a a a" -> "aa a"); <c>null</c> when the pair does not occur.</summary>
    static int[]? MergeWord(int[] symbols, int left, int right, int merged)
    {
        List<int>? result = null;
        for (int i = 0; i < symbols.Length; i++)
        {
            if (i + 1 < symbols.Length && symbols[i] == left && symbols[i + 1] == right)
            {
                result ??= new List<int>(symbols.AsSpan(0, i).ToArray());
                result.Add(merged);
                i++;
            }
            else result?.Add(symbols[i]);
        }
        return result?.ToArray();
    }

    static long PairKey(int left, int right) => ((long)left << 32) | (uint)right;

    static HashSet<int> WordsWith(Dictionary<long, HashSet<int>> wordsWithPair, long pair)
    {
        ref var set = ref CollectionsMarshal.GetValueRefOrAddDefault(wordsWithPair, pair, out _);
        return set ??= [];
    }

    sealed class HigherCountThenSmallerPair : IComparer<(long Count, long Pair)>
    {
        public static readonly HigherCountThenSmallerPair Instance = new();

        public int Compare((long Count, long Pair) x, (long Count, long Pair) y) =>
            x.Count != y.Count ? y.Count.CompareTo(x.Count) : x.Pair.CompareTo(y.Pair);
    }
}
