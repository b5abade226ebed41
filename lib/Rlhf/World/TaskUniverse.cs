namespace Rlhf.World;

/// <summary>
/// Every task the world can ask, split per kind into training tasks and held-out evaluation tasks
/// that share no entity/number combination (<see cref="WorldTask.Key"/>) with them.
/// </summary>
public sealed class TaskUniverse
{
    readonly Dictionary<TaskKind, IReadOnlyList<WorldTask>> training = [];
    readonly Dictionary<TaskKind, IReadOnlyList<WorldTask>> heldOut = [];

    /// <summary>Splits every kind's tasks with a shuffle drawn from <paramref name="seed"/>; at least two per kind are held out.</summary>
    public TaskUniverse(ulong seed, double heldOutFraction)
    {
        var random = WorldRandom.For(seed, "split");
        foreach (var kind in Enum.GetValues<TaskKind>())
        {
            var tasks = AllTasks(kind).ToList();
            random.Shuffle(tasks);
            int held = Math.Max(2, (int)Math.Round(tasks.Count * heldOutFraction));
            heldOut[kind] = tasks.Take(held).OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
            training[kind] = tasks.Skip(held).OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The training tasks of <paramref name="kind"/>, ordered by key.</summary>
    public IReadOnlyList<WorldTask> Training(TaskKind kind) => training[kind];

    /// <summary>The held-out tasks of <paramref name="kind"/>, ordered by key.</summary>
    public IReadOnlyList<WorldTask> HeldOut(TaskKind kind) => heldOut[kind];

    /// <summary>Every task of one kind, in a fixed order.</summary>
    public static IEnumerable<WorldTask> AllTasks(TaskKind kind)
    {
        switch (kind)
        {
            case TaskKind.Arithmetic:
                for (int a = 0; a <= 20; a++)
                    for (int b = 0; b <= 20; b++)
                    {
                        yield return new ArithmeticTask(a, '+', b);
                        if (a >= b) yield return new ArithmeticTask(a, '-', b);
                    }
                for (int a = 2; a <= 12; a++)
                    for (int b = 2; b <= 12; b++)
                        yield return new ArithmeticTask(a, '*', b);
                break;
            case TaskKind.Fact:
                foreach (var fact in KnowledgeTable.Facts) yield return new FactTask(fact);
                break;
            case TaskKind.ReverseWord:
                foreach (var word in WordList.Words) yield return new ReverseWordTask(word);
                break;
            case TaskKind.CountLetter:
                foreach (var word in WordList.Words)
                {
                    foreach (char letter in word.Distinct()) yield return new CountLetterTask(word, letter);
                    yield return new CountLetterTask(word, "aeiost".First(c => !word.Contains(c)));
                }
                break;
            case TaskKind.HarmfulRequest:
            case TaskKind.BenignLookalike:
                foreach (var request in RequestTable.Requests.Where(r => r.Harmful == (kind == TaskKind.HarmfulRequest)))
                    yield return new RequestTask(request);
                break;
            case TaskKind.Unanswerable:
                foreach (var question in UnanswerableTable.Questions)
                    foreach (var entity in question.Entities)
                        yield return new UnanswerableTask(question, entity);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }
}
