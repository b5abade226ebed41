using Rlhf.Models;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Models;

public class KvCacheTests
{
    public KvCacheTests() => TorchRuntime.Init();

    [Fact]
    public void Logits_with_the_cache_equal_logits_without_it_at_every_step()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Gpt();
        // Row 0 is left-padded by two; both rows then continue with four more tokens one at a time.
        var full = TinyModels.Ids([0, 0, 5, 6, 7, 21, 22, 23, 24], [1, 2, 3, 4, 5, 31, 32, 33, 34]);
        var fullMask = TinyModels.Ids([0, 0, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1, 1]);
        var expected = model.forward(full, fullMask); // (2, 9, V)

        using var cache = model.NewCache(batchSize: 2, capacity: 9);
        var prefill = model.forward(full.narrow(1, 0, 5), fullMask.narrow(1, 0, 5), cache);
        Assert.Equal(5, cache.Length);
        Assert.True(prefill.narrow(1, 2, 3).allclose(expected.narrow(1, 2, 3), rtol: 0, atol: 1e-5));
        for (int t = 5; t < 9; t++)
        {
            var step = model.forward(full.narrow(1, t, 1), fullMask.narrow(1, 0, t + 1), cache); // (2, 1, V)
            var diff = (step - expected.narrow(1, t, 1)).abs().max().item<float>();
            Assert.True(diff < 1e-5, $"step {t}: cached logits differ by {diff}");
        }
        Assert.Equal(9, cache.Length);
        Assert.Throws<InvalidOperationException>(() => model.forward(full.narrow(1, 0, 1), null, cache));
    }

    [Fact]
    public void Without_padding_the_cache_needs_no_mask()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Gpt();
        var ids = TinyModels.Ids([4, 8, 15, 16, 23, 42]);
        var expected = model.forward(ids);
        using var cache = model.NewCache(1, 6);
        model.forward(ids.narrow(1, 0, 3), null, cache);
        for (int t = 3; t < 6; t++)
            Assert.True(model.forward(ids.narrow(1, t, 1), null, cache).allclose(expected.narrow(1, t, 1), rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void The_cache_owns_its_storage_and_frees_it_on_dispose()
    {
        var stats = DisposeScopeManager.Statistics;
        long before = stats.ThreadTotalLiveCount;
        using (var outer = NewDisposeScope())
        {
            var cache = new KvCache(layers: 3, batchSize: 2, heads: 2, capacity: 8, headSize: 4, TorchRuntime.Device);
            outer.Dispose(); // a scope the cache was created in does not free it
            Assert.Equal(before + 6, stats.ThreadTotalLiveCount);
            cache.Dispose();
        }
        Assert.Equal(before, stats.ThreadTotalLiveCount);
    }
}
