namespace Rlhf.World;

/// <summary>The relations the knowledge table holds.</summary>
public enum FactRelation
{
    /// <summary>The capital city of a country.</summary>
    Capital,

    /// <summary>The usual colour of a thing.</summary>
    Color,

    /// <summary>How many legs an animal has (a number).</summary>
    Legs,
}

/// <summary>One fact: <paramref name="Subject"/> has <paramref name="Value"/> for <paramref name="Relation"/>.</summary>
/// <param name="Relation">Which relation.</param>
/// <param name="Subject">The country, thing or animal, as it appears in a question ("a spider" / "蜘蛛").</param>
/// <param name="Value">The answer ("Paris", "blue", "8").</param>
public sealed record Fact(FactRelation Relation, Localized Subject, Localized Value);

/// <summary>The fixed facts TinyWorld asks about. The judge knows them; the model must learn them from the corpus.</summary>
public static class KnowledgeTable
{
    static Fact Capital(string en, string zh, string valueEn, string valueZh) => new(FactRelation.Capital, new(en, zh), new(valueEn, valueZh));
    static Fact Color(string en, string zh, string valueEn, string valueZh) => new(FactRelation.Color, new(en, zh), new(valueEn, valueZh));
    static Fact Legs(string en, string zh, int legs) => new(FactRelation.Legs, new(en, zh), new(legs.ToString(System.Globalization.CultureInfo.InvariantCulture), legs.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Every fact, in a fixed order.</summary>
    public static IReadOnlyList<Fact> Facts { get; } =
    [
        Capital("France", "法国", "Paris", "巴黎"),
        Capital("Japan", "日本", "Tokyo", "东京"),
        Capital("Italy", "意大利", "Rome", "罗马"),
        Capital("Spain", "西班牙", "Madrid", "马德里"),
        Capital("Germany", "德国", "Berlin", "柏林"),
        Capital("Egypt", "埃及", "Cairo", "开罗"),
        Capital("Canada", "加拿大", "Ottawa", "渥太华"),
        Capital("Australia", "澳大利亚", "Canberra", "堪培拉"),
        Capital("Russia", "俄罗斯", "Moscow", "莫斯科"),
        Capital("China", "中国", "Beijing", "北京"),
        Capital("India", "印度", "New Delhi", "新德里"),
        Capital("Kenya", "肯尼亚", "Nairobi", "内罗毕"),
        Capital("Peru", "秘鲁", "Lima", "利马"),
        Capital("Greece", "希腊", "Athens", "雅典"),
        Capital("Norway", "挪威", "Oslo", "奥斯陆"),
        Capital("Thailand", "泰国", "Bangkok", "曼谷"),
        Capital("Portugal", "葡萄牙", "Lisbon", "里斯本"),
        Capital("Argentina", "阿根廷", "Buenos Aires", "布宜诺斯艾利斯"),
        Capital("Turkey", "土耳其", "Ankara", "安卡拉"),
        Capital("South Korea", "韩国", "Seoul", "首尔"),
        Capital("Ireland", "爱尔兰", "Dublin", "都柏林"),
        Capital("Poland", "波兰", "Warsaw", "华沙"),
        Capital("Sweden", "瑞典", "Stockholm", "斯德哥尔摩"),
        Color("the sky", "天空", "blue", "蓝色"),
        Color("grass", "草", "green", "绿色"),
        Color("snow", "雪", "white", "白色"),
        Color("a banana", "香蕉", "yellow", "黄色"),
        Color("coal", "煤炭", "black", "黑色"),
        Color("a ripe tomato", "熟透的番茄", "red", "红色"),
        Color("a carrot", "胡萝卜", "orange", "橙色"),
        Color("milk", "牛奶", "white", "白色"),
        Color("a lemon", "柠檬", "yellow", "黄色"),
        Color("a crow", "乌鸦", "black", "黑色"),
        Color("a frog", "青蛙", "green", "绿色"),
        Color("a strawberry", "草莓", "red", "红色"),
        Color("the sea", "大海", "blue", "蓝色"),
        Legs("a spider", "蜘蛛", 8),
        Legs("a dog", "狗", 4),
        Legs("a chicken", "鸡", 2),
        Legs("an ant", "蚂蚁", 6),
        Legs("a cat", "猫", 4),
        Legs("a horse", "马", 4),
        Legs("a duck", "鸭子", 2),
        Legs("a bee", "蜜蜂", 6),
        Legs("a crab", "螃蟹", 10),
        Legs("a cow", "奶牛", 4),
        Legs("a penguin", "企鹅", 2),
        Legs("a beetle", "甲虫", 6),
        Legs("a kangaroo", "袋鼠", 2),
    ];

    /// <summary>The distinct values one relation takes, in table order (the judge's list of possible answers).</summary>
    public static IReadOnlyList<Localized> ValuesOf(FactRelation relation) =>
        Facts.Where(f => f.Relation == relation).Select(f => f.Value).Distinct().ToList();
}
