namespace Rlhf.World;

/// <summary>The surface language TinyWorld writes its prompts and responses in.</summary>
public enum WorldLanguage
{
    /// <summary>English, the course default.</summary>
    English,

    /// <summary>Simplified Chinese, the seed's own language.</summary>
    Chinese,
}
