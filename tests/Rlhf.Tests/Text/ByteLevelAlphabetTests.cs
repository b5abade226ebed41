using Rlhf.Text;

namespace Rlhf.Tests.Text;

public class ByteLevelAlphabetTests
{
    [Fact]
    public void Ids_and_symbols_match_gpt2()
    {
        Assert.Equal("!", ByteLevelAlphabet.Symbols[0]);
        Assert.Equal("a", ByteLevelAlphabet.Symbols['a' - 33]);
        Assert.Equal("Ā", ByteLevelAlphabet.Symbols[188]); // byte 0
        Assert.Equal("Ċ", ByteLevelAlphabet.Symbols[198]); // newline
        Assert.Equal("Ġ", ByteLevelAlphabet.Symbols[220]); // space
        Assert.Equal('Ġ', ByteLevelAlphabet.SymbolOf((byte)' '));
        Assert.Equal('a', ByteLevelAlphabet.SymbolOf((byte)'a'));
    }

    [Fact]
    public void The_table_is_a_bijection_on_the_256_bytes()
    {
        Assert.Equal(256, ByteLevelAlphabet.Symbols.Distinct().Count());
        for (int b = 0; b < 256; b++)
        {
            Assert.True(ByteLevelAlphabet.TryGetByte(ByteLevelAlphabet.SymbolOf((byte)b), out var back));
            Assert.Equal(b, back);
        }
        Assert.False(ByteLevelAlphabet.TryGetByte(' ', out _));
    }

    [Fact]
    public void Text_becomes_its_utf8_bytes_as_symbols()
    {
        // é = C3 A9 (both printable Latin-1: Ã ©); space -> Ġ; 中 = E4 B8 AD (AD is moved: U+0143 'Ń').
        Assert.Equal("Ã©Ġ", ByteLevelAlphabet.Encode("é "));
        Assert.Equal("ä¸Ń", ByteLevelAlphabet.Encode("中"));
    }

    [Fact]
    public void The_pre_tokenizer_cuts_like_gpt2()
    {
        Assert.Equal(
            ["Hello", " world", "'s", " 123", "!!", " ", " ok", "\n"],
            Gpt2PreTokenizer.Split("Hello world's 123!!  ok\n"));
        Assert.Equal(["<|", "endoftext", "|>"], Gpt2PreTokenizer.Split("<|endoftext|>"));
    }
}
