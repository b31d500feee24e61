using System.Text;
using Kdump.Dump;

namespace Kdump.Dump.Tests;

/// <summary>
/// EraseList against makedumpfile's filter_info semantics (insert_filter_info, extract_filter_info,
/// update_erase_info, write_eraseinfo), on made-up ranges and 4 KiB chunks.
/// </summary>
public class EraseListTests
{
    private const int Page = 4096;

    private static byte[] Chunk() => Enumerable.Repeat((byte)0xaa, Page).ToArray();

    private static string Info(EraseList.Pass pass) => Encoding.Latin1.GetString(pass.EraseInfo());

    [Fact]
    public void A_range_over_three_stored_pages_is_erased_in_each_and_counted_once()
    {
        var list = new EraseList();
        var c = new EraseList.Command("big");
        list.Add(Page - 10, Page + 20, nullify: false, c);
        var pass = list.Start();
        var (a, b, d) = (Chunk(), Chunk(), Chunk());
        Assert.False(pass.Touches(0, Page - 10));
        pass.Apply(0, a);
        Assert.True(pass.Touches(Page, Page));
        pass.Apply(Page, b);
        pass.Apply(2 * Page, d);
        Assert.Equal(Enumerable.Repeat((byte)'X', 10), a[^10..]);
        Assert.Equal(0xaa, a[Page - 11]);
        Assert.All(b, x => Assert.Equal((byte)'X', x));
        Assert.Equal(Enumerable.Repeat((byte)'X', 10), d[..10]);
        Assert.Equal(0xaa, d[10]);
        Assert.Equal("erase big size 4116\n", Info(pass));
    }

    [Fact]
    public void The_rest_of_a_range_is_lost_when_the_next_page_is_not_stored()
    {
        var list = new EraseList();
        list.Add(Page - 8, 16, nullify: false, new EraseList.Command("p"));
        var pass = list.Start();
        pass.Apply(0, Chunk());
        var third = Chunk();
        pass.Apply(2 * Page, third);           // page 1 left out: its 8 bytes are never erased
        Assert.All(third, x => Assert.Equal(0xaa, x));
        Assert.Equal("erase p size 8\n", Info(pass));
    }

    [Fact]
    public void A_range_in_a_page_not_stored_counts_nowhere_and_a_repeat_line_reuses_the_size_before()
    {
        var list = new EraseList();
        var loop = new EraseList.Command("t.comm");
        list.Add(100, 16, false, loop);
        list.Add(3 * Page + 100, 16, false, loop);   // never stored
        list.Add(5 * Page, 4, false, loop);
        var pass = list.Start();
        pass.Apply(0, Chunk());
        pass.Apply(5 * Page, Chunk());
        // write_eraseinfo prints a slot of 0 with the line it printed last (its buffer is reused).
        Assert.Equal("erase t.comm size 16\nerase t.comm size 16\nerase t.comm size 4\n", Info(pass));
    }

    [Fact]
    public void Same_start_widens_the_first_range_and_adds_no_line()
    {
        var list = new EraseList();
        var (first, second) = (new EraseList.Command("a"), new EraseList.Command("b"));
        list.Add(64, 8, false, first);
        list.Add(64, 32, false, second);
        Assert.Equal(1, first.Ranges);
        Assert.Equal(0, second.Ranges);
        var pass = list.Start();
        var page = Chunk();
        pass.Apply(0, page);
        Assert.Equal(Enumerable.Repeat((byte)'X', 32), page[64..96]);
        Assert.Equal("erase a size 32\n", Info(pass));
        Assert.Equal("erase a size 32\n".Length, list.PlannedEraseInfoBytes());
    }

    [Fact]
    public void Overlaps_apply_in_address_order_and_nullify_writes_zeros()
    {
        var list = new EraseList();
        list.Add(8, 8, nullify: true, new EraseList.Command("s.ptr"));
        list.Add(0, 100, nullify: false, new EraseList.Command("s"));
        var pass = list.Start();
        var page = Chunk();
        pass.Apply(0, page);
        // The range at 0 comes first in the list; the nullify at 8 is applied after it.
        Assert.Equal(Enumerable.Repeat((byte)'X', 8), page[..8]);
        Assert.Equal(new byte[8], page[8..16]);
        Assert.Equal((byte)'X', page[16]);
        // Commands are listed in the order they first added a range.
        Assert.Equal("erase s.ptr nullify\nerase s size 100\n", Info(pass));
    }

    [Fact]
    public void A_range_without_a_physical_address_is_never_applied()
    {
        var list = new EraseList();
        list.Add(ulong.MaxValue, 8, false, new EraseList.Command("x"));
        var pass = list.Start();
        Assert.False(pass.Touches(ulong.MaxValue - Page + 1, Page));
        Assert.Equal("", Info(pass));
        Assert.Equal("erase x size 8\n".Length, list.PlannedEraseInfoBytes());
    }

    /// <summary>
    /// The same memory stored twice (an ELF dump of /proc/vmcore has the kernel image as kernel text
    /// and in the direct map) is erased in both copies and counted once; makedumpfile erases the
    /// first copy only.
    /// </summary>
    [Fact]
    public void A_second_copy_of_erased_memory_is_erased_too_and_counted_once()
    {
        var list = new EraseList();
        list.Add(Page - 8, 16, nullify: false, new EraseList.Command("twice"));
        var pass = list.Start();
        pass.Apply(0, Chunk());
        pass.Apply(Page, Chunk());
        var (again, next) = (Chunk(), Chunk());
        Assert.True(pass.Touches(0, Page));
        pass.Apply(0, again);
        pass.Apply(Page, next);
        Assert.Equal(Enumerable.Repeat((byte)'X', 8), again[^8..]);
        Assert.Equal(0xaa, again[^9]);
        Assert.Equal(Enumerable.Repeat((byte)'X', 8), next[..8]);
        Assert.Equal(0xaa, next[8]);
        Assert.False(pass.Touches(2 * Page, Page));
        Assert.Equal("erase twice size 16\n", Info(pass));
    }

    [Fact]
    public void Each_pass_starts_from_the_whole_list()
    {
        var list = new EraseList();
        list.Add(0, 8, false, new EraseList.Command("a"));
        var first = list.Start();
        first.Apply(0, Chunk());
        var second = list.Start();
        var page = Chunk();
        second.Apply(0, page);
        Assert.Equal((byte)'X', page[0]);
        Assert.Equal(Info(first), Info(second));
    }
}

/// <summary>
/// EraseList.Pass against a literal model of upstream's filter_info list (a list walked from its
/// head for each extraction, split remainders inserted after their range), on seeded random
/// ranges and chunk sequences, in address order with gaps and in any order.
/// </summary>
public class EraseListModelTests
{
    private sealed class Node
    {
        public ulong Start;
        public long Size;
        public bool Nullify;
        public int Command;
        public int Slot;
    }

    /// <summary>extract_filter_info + filter_data_buffer + update_erase_info, as erase_info.c does them.</summary>
    private static void ModelApply(List<Node> list, ulong start, byte[] chunk, Dictionary<int, long[]> sizes, HashSet<int> erased)
    {
        var end = start + (ulong)chunk.Length;
        while (true)
        {
            var i = list.FindIndex(n => n.Start >= start && n.Start < end);
            if (i < 0) return;
            var n = list[i];
            var size = n.Size;
            if ((ulong)size > end - n.Start)
            {
                var first = (long)(end - n.Start);
                list.Insert(i + 1, new Node { Start = n.Start + (ulong)first, Size = size - first, Nullify = n.Nullify, Command = n.Command, Slot = n.Slot });
                size = first;
            }
            list.RemoveAt(i);
            chunk.AsSpan((int)(n.Start - start), (int)size).Fill(n.Nullify ? (byte)0 : (byte)'X');
            erased.Add(n.Command);
            if (n.Nullify) sizes[n.Command][n.Slot] = -1;
            else sizes[n.Command][n.Slot] += size;
        }
    }

    /// <param name="ragged">Chunks of any length from any byte (the ELF writer's partial first and last pages), in address order.</param>
    [Theory]
    [InlineData(1, false, false)]
    [InlineData(2, false, false)]
    [InlineData(3, true, false)]
    [InlineData(4, true, false)]
    [InlineData(5, false, true)]
    [InlineData(6, false, true)]
    public void Pass_equals_upstreams_list(int seed, bool anyOrder, bool ragged)
    {
        var random = new Random(seed);
        for (var round = 0; round < 200; round++)
        {
            var list = new EraseList();
            var model = new List<Node>();
            var commands = Enumerable.Range(0, 4).Select(c => new EraseList.Command($"c{c}")).ToArray();
            var nodeOrder = new List<int>();   // add_erase_info_node: commands in the order they got a node
            for (var k = random.Next(1, 12); k > 0; k--)
            {
                var start = (ulong)random.Next(0, 10 * 4096);
                var size = (long)random.Next(1, 3 * 4096);
                var nullify = random.Next(5) == 0;
                var command = random.Next(commands.Length);
                var before = commands[command].Ranges;
                list.Add(start, size, nullify, commands[command]);
                // insert_filter_info: a new start goes in sorted place, a known one widens it.
                var same = model.Find(n => n.Start == start);
                if (same is not null) same.Size = Math.Max(same.Size, size);
                else
                {
                    var at = model.FindIndex(n => n.Start > start);
                    var node = new Node { Start = start, Size = size, Nullify = nullify, Command = command, Slot = before };
                    if (!nodeOrder.Contains(command)) nodeOrder.Add(command);
                    if (at < 0) model.Add(node);
                    else model.Insert(at, node);
                }
            }
            var pass = list.Start();
            var sizes = Enumerable.Range(0, commands.Length).ToDictionary(c => c, c => new long[commands[c].Ranges]);
            var erased = new HashSet<int>();
            var chunks = Enumerable.Range(0, 10).Where(_ => random.Next(4) != 0).Select(p => ((ulong)p * 4096, 4096)).ToList();
            if (ragged)
            {
                chunks.Clear();
                for (var at = (ulong)random.Next(0, 300); at < 10 * 4096;)
                {
                    var length = random.Next(1, 4097);
                    if (random.Next(4) != 0) chunks.Add((at, length));
                    at += (ulong)(length + (random.Next(3) == 0 ? random.Next(1, 2000) : 0));
                }
            }
            if (anyOrder) chunks = [.. chunks.OrderBy(_ => random.Next())];
            foreach (var (chunkStart, chunkLength) in chunks)
            {
                var ours = Enumerable.Repeat((byte)0xaa, chunkLength).ToArray();
                var theirs = (byte[])ours.Clone();
                if (pass.Touches(chunkStart, chunkLength)) pass.Apply(chunkStart, ours);
                ModelApply(model, chunkStart, theirs, sizes, erased);
                Assert.Equal(theirs, ours);
            }
            // write_eraseinfo from the model's counts, in the order commands first added a range.
            var expected = new System.Text.StringBuilder();
            var last = "size 0\n";
            foreach (var index in nodeOrder)
            {
                var c = commands[index];
                if (!erased.Contains(index)) continue;
                foreach (var s in sizes[index])
                {
                    if (s > 0) last = $"size {s}\n";
                    else if (s == -1) last = "nullify\n";
                    expected.Append($"erase {c.Expression} {last}");
                }
            }
            Assert.Equal(expected.ToString(), System.Text.Encoding.Latin1.GetString(pass.EraseInfo()));
        }
    }
}
