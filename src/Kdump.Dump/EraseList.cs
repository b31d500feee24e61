using System.Globalization;
using System.Text;

namespace Kdump.Dump;

/// <summary>
/// Physical ranges to overwrite before pages are stored (makedumpfile's filter_info list, built from
/// <c>--config</c> erase commands), and the commands they came from, for the dump's eraseinfo.
/// Ranges come out sorted by start (upstream's list order); a second range at the same start only
/// widens the first and is not counted for its command (insert_filter_info).
/// </summary>
public sealed class EraseList
{
    /// <summary>'X' (0x58): what erased bytes read as (makedumpfile.conf(5)); nullified pointers read 0.</summary>
    public const byte EraseByte = (byte)'X';

    private readonly List<Range> _added = [];
    private readonly Dictionary<ulong, int> _byStart = [];
    private readonly List<Command> _commands = [];
    private List<Range>? _sorted;

    /// <summary>One erase command as written (its symbol expression) and how many ranges it added.</summary>
    public sealed class Command(string expression)
    {
        public string Expression { get; } = expression;

        /// <summary>num_sizes: ranges this command added (one per loop iteration that added one).</summary>
        public int Ranges { get; internal set; }

        /// <summary>Position among the commands that added a range: the order of the eraseinfo.</summary>
        internal int Index { get; set; } = -1;
    }

    /// <summary>A range to overwrite, with the eraseinfo slot it counts into (no command: counts nowhere).</summary>
    public readonly record struct Range(ulong Start, long Size, bool Nullify, Command? Command, int Slot);

    public bool IsEmpty => _added.Count == 0;

    /// <summary>The ranges by start: upstream's list order.</summary>
    public IReadOnlyList<Range> Ranges => _sorted ??= [.. _added.OrderBy(r => r.Start)];

    /// <summary>insert_filter_info, then the command's slot when the range is new.</summary>
    public void Add(ulong start, long size, bool nullify, Command? command)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (_byStart.TryGetValue(start, out var at))
        {
            if (size > _added[at].Size) _added[at] = _added[at] with { Size = size };
            _sorted = null;
            return;
        }
        var slot = 0;
        if (command is not null)
        {
            if (command.Index < 0)
            {
                command.Index = _commands.Count;
                _commands.Add(command);
            }
            slot = command.Ranges++;
        }
        _byStart.Add(start, _added.Count);
        _added.Add(new Range(start, size, nullify, command, slot));
        _sorted = null;
    }

    /// <summary>
    /// get_size_eraseinfo: the eraseinfo an ELF dump reserves room for before any page is written,
    /// one line per range at its full size.
    /// </summary>
    public long PlannedEraseInfoBytes()
    {
        long total = 0;
        foreach (var r in _added)
        {
            if (r.Command is null) continue;
            total += Encoding.Latin1.GetByteCount(Line(r.Command.Expression, r.Nullify ? "nullify\n" : SizeText(r.Size)));
        }
        return total;
    }

    private static string SizeText(long size) => string.Create(CultureInfo.InvariantCulture, $"size {size}\n");

    private static string Line(string expression, string size) => $"erase {expression} {size}";

    /// <summary>A fresh pass over the pages of one output file (upstream's forked --split children each start from the full list).</summary>
    public Pass Start() => new(this);

    /// <summary>
    /// The overwriting as chunks of the dump are stored (filter_data_buffer): each range left whose
    /// start falls in the chunk is applied, in list order; the part past the chunk's end stays in the
    /// list with its start moved to that end, so it is applied only if the chunk stored next starts
    /// there. A range whose start never falls in a stored chunk is neither applied nor counted.
    /// </summary>
    public sealed class Pass
    {
        private readonly EraseList _list;
        private readonly IReadOnlyList<Range> _ranges;
        private readonly long[][] _sizes;
        private readonly bool[] _erased;
        // What is left of each range (by its place in the list) and the ranges left, by start.
        private readonly ulong[] _start;
        private readonly long[] _size;
        // The ranges left, sorted by (start, place): found by binary search, with no allocation per page.
        private readonly List<(ulong Start, int Index)> _left;
        private readonly List<int> _due = [];

        internal Pass(EraseList list)
        {
            _list = list;
            _ranges = list.Ranges;
            _sizes = new long[list._commands.Count][];
            for (var i = 0; i < _sizes.Length; i++) _sizes[i] = new long[list._commands[i].Ranges];
            _erased = new bool[list._commands.Count];
            _start = new ulong[_ranges.Count];
            _size = new long[_ranges.Count];
            _left = new List<(ulong, int)>(_ranges.Count);
            for (var i = 0; i < _start.Length; i++)
            {
                (_start[i], _size[i]) = (_ranges[i].Start, _ranges[i].Size);
                _left.Add((_start[i], i));   // Ranges is sorted by start: so is this
            }
        }

        /// <summary>The first place in <see cref="_left"/> whose start is at least <paramref name="start"/>.</summary>
        private int LowerBound(ulong start) => FirstAtOrAfter(_left, start, static e => e.Start);

        /// <summary>The first place in <paramref name="sorted"/> (by start) whose start is at least <paramref name="key"/>.</summary>
        private static int FirstAtOrAfter<T>(List<T> sorted, ulong key, Func<T, ulong> startOf)
        {
            int lo = 0, hi = sorted.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (startOf(sorted[mid]) < key) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }

        /// <summary>True when some range left starts inside [<paramref name="start"/>, +<paramref name="length"/>): the chunk must be copied to be patched.</summary>
        public bool Touches(ulong start, int length)
        {
            if (length <= 0 || start > ulong.MaxValue - (ulong)length) return false;
            var at = LowerBound(start);
            return (at < _left.Count && _left[at].Start < start + (ulong)length) || FirstWritten(start, length) >= 0;
        }

        // What was written so far, by start: each write lies inside one chunk.
        private readonly List<(ulong Start, int Length, bool Nullify)> _written = [];
        private int _longestChunk;

        /// <summary>The first write that overlaps [start, +length), or -1.</summary>
        private int FirstWritten(ulong start, int length)
        {
            if (_written.Count == 0) return -1;
            var from = start > (ulong)_longestChunk ? start - (ulong)_longestChunk : 0;
            for (var i = FirstAtOrAfter(_written, from, static w => w.Start); i < _written.Count && _written[i].Start < start + (ulong)length; i++)
                if (_written[i].Start + (ulong)_written[i].Length > start) return i;
            return -1;
        }

        /// <summary>
        /// Writes again into <paramref name="chunk"/> what was written where it overlaps an earlier
        /// chunk: the same memory stored twice (an ELF dump of /proc/vmcore maps the kernel image
        /// twice, as kernel text and in the direct map) is erased in both copies. makedumpfile erases
        /// the first copy only and leaves the data in the second; that is not copied. Counts nothing.
        /// </summary>
        private void Rewrite(ulong start, Span<byte> chunk)
        {
            var end = start + (ulong)chunk.Length;
            var i = FirstWritten(start, chunk.Length);
            if (i < 0) return;
            for (; i < _written.Count && _written[i].Start < end; i++)
            {
                var (wStart, wLength, nullify) = _written[i];
                var from = Math.Max(wStart, start);
                var to = Math.Min(wStart + (ulong)wLength, end);
                if (from < to) chunk.Slice((int)(from - start), (int)(to - from)).Fill(nullify ? (byte)0 : EraseByte);
            }
        }

        // After the writes with the same start (start + 1 cannot wrap: the write ends after it).
        private void Record(ulong start, int length, bool nullify) =>
            _written.Insert(FirstAtOrAfter(_written, start + 1, static w => w.Start), (start, length, nullify));

        /// <summary>Overwrites what falls in <paramref name="chunk"/>, which holds the bytes from physical address <paramref name="start"/>.</summary>
        public void Apply(ulong start, Span<byte> chunk)
        {
            if (!Touches(start, chunk.Length)) return;
            Rewrite(start, chunk);
            _longestChunk = Math.Max(_longestChunk, chunk.Length);
            var end = start + (ulong)chunk.Length;
            var first = LowerBound(start);
            var last = first;
            while (last < _left.Count && _left[last].Start < end) last++;
            _due.Clear();
            for (var k = first; k < last; k++) _due.Add(_left[k].Index);
            _left.RemoveRange(first, last - first);
            // List order: a part carried from the chunk before sits where its range was.
            _due.Sort();
            foreach (var i in _due)
            {
                var r = _ranges[i];
                var size = _size[i];
                var room = end - _start[i];
                if ((ulong)size > room)
                {
                    _size[i] = size - (long)room;
                    size = (long)room;
                    // What is past the chunk waits at its end, in list order among what starts there.
                    var at = LowerBound(end);
                    while (at < _left.Count && _left[at].Start == end && _left[at].Index < i) at++;
                    _left.Insert(at, (end, i));
                }
                chunk.Slice((int)(_start[i] - start), (int)size).Fill(r.Nullify ? (byte)0 : EraseByte);
                Record(_start[i], (int)size, r.Nullify);
                _start[i] = end;
                if (r.Command is not { } c) continue;
                _erased[c.Index] = true;
                if (r.Nullify) _sizes[c.Index][r.Slot] = -1;
                else _sizes[c.Index][r.Slot] += size;
            }
        }

        /// <summary>
        /// write_eraseinfo: per command that erased something, one line per range: its bytes erased,
        /// or "nullify". A range that erased nothing repeats the line before (upstream reuses its
        /// buffer); first in the file it reads "size 0".
        /// </summary>
        public byte[] EraseInfo()
        {
            var text = new StringBuilder();
            var size = SizeText(0);
            for (var i = 0; i < _erased.Length; i++)
            {
                if (!_erased[i]) continue;
                foreach (var s in _sizes[i])
                {
                    if (s > 0) size = SizeText(s);
                    else if (s == -1) size = "nullify\n";
                    text.Append(Line(_list._commands[i].Expression, size));
                }
            }
            return Encoding.Latin1.GetBytes(text.ToString());
        }
    }
}
