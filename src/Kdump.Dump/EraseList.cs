using System.Globalization;
using System.Text;

namespace Kdump.Dump;

/// <summary>
/// Physical ranges to overwrite before pages are stored (makedumpfile's filter_info list, built from
/// <c>--config</c> erase commands), and the commands they came from, for the dump's eraseinfo.
/// Ranges are kept sorted by start; a second range at the same start only widens the first and is
/// not counted for its command (insert_filter_info).
/// </summary>
public sealed class EraseList
{
    /// <summary>'X' (0x58): what erased bytes read as (makedumpfile.conf(5)); nullified pointers read 0.</summary>
    public const byte EraseByte = (byte)'X';

    private readonly List<Range> _ranges = [];
    private readonly List<Command> _commands = [];

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

    public bool IsEmpty => _ranges.Count == 0;

    public IReadOnlyList<Range> Ranges => _ranges;

    /// <summary>insert_filter_info, then the command's slot when the range is new.</summary>
    public void Add(ulong start, long size, bool nullify, Command? command)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var at = LowerBound(start);
        if (at < _ranges.Count && _ranges[at].Start == start)
        {
            if (size > _ranges[at].Size) _ranges[at] = _ranges[at] with { Size = size };
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
        _ranges.Insert(at, new Range(start, size, nullify, command, slot));
    }

    private int LowerBound(ulong start)
    {
        int lo = 0, hi = _ranges.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_ranges[mid].Start < start) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>
    /// get_size_eraseinfo: the eraseinfo an ELF dump reserves room for before any page is written,
    /// one line per range at its full size.
    /// </summary>
    public long PlannedEraseInfoBytes()
    {
        long total = 0;
        foreach (var r in _ranges)
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
    /// The overwriting as pages go by in increasing address order (filter_data_buffer): a range is
    /// applied from the chunk that holds its start; the part past that chunk's end moves to the
    /// next chunk's start and is applied only if that chunk follows at once. Ranges whose chunk is
    /// not stored are neither applied nor counted.
    /// </summary>
    public sealed class Pass
    {
        private readonly EraseList _list;
        private readonly long[][] _sizes;
        private readonly bool[] _erased;
        private int _next;
        private List<Range> _carried = [];
        private List<Range> _carriedNext = [];
        private ulong _lastEnd;

        internal Pass(EraseList list)
        {
            _list = list;
            _sizes = new long[list._commands.Count][];
            for (var i = 0; i < _sizes.Length; i++) _sizes[i] = new long[list._commands[i].Ranges];
            _erased = new bool[list._commands.Count];
        }

        /// <summary>True when some range starts inside [<paramref name="start"/>, +<paramref name="length"/>): the chunk must be copied to be patched.</summary>
        public bool Touches(ulong start, int length)
        {
            var end = start + (ulong)length;
            foreach (var r in _carried)
            {
                if (r.Start >= start && r.Start < end) return true;
            }
            var i = _next;
            while (i < _list._ranges.Count && _list._ranges[i].Start < start) i++;
            return i < _list._ranges.Count && _list._ranges[i].Start < end;
        }

        /// <summary>Overwrites what falls in <paramref name="chunk"/>, which holds the bytes from physical address <paramref name="start"/>.</summary>
        public void Apply(ulong start, Span<byte> chunk) => Run(start, chunk.Length, chunk);

        /// <summary>A chunk <see cref="Touches"/> said nothing starts in: stored as it is, but it ends what was carried into it.</summary>
        public void Skip(ulong start, int length) => Run(start, length, Span<byte>.Empty);

        private void Run(ulong start, int length, Span<byte> chunk)
        {
            if (start < _lastEnd) throw new InvalidOperationException("erase ranges are applied in increasing address order");
            var end = start + (ulong)length;
            _lastEnd = end;
            // Parts carried over from the chunk before come first: their ranges started earlier.
            foreach (var r in _carried)
            {
                if (r.Start >= start && r.Start < end) Erase(r, start, end, chunk);
            }
            var ranges = _list._ranges;
            while (_next < ranges.Count && ranges[_next].Start < start) _next++;
            while (_next < ranges.Count && ranges[_next].Start < end) Erase(ranges[_next++], start, end, chunk);
            // What did not fit moves on; what was carried and not reached is left for good.
            (_carried, _carriedNext) = (_carriedNext, _carried);
            _carriedNext.Clear();
        }

        private void Erase(Range r, ulong start, ulong end, Span<byte> chunk)
        {
            var size = r.Size;
            var room = end - r.Start;
            if ((ulong)size > room)
            {
                _carriedNext.Add(r with { Start = end, Size = size - (long)room });
                size = (long)room;
            }
            if (chunk.IsEmpty) throw new InvalidOperationException("a chunk with something to erase was passed over");
            chunk.Slice((int)(r.Start - start), (int)size).Fill(r.Nullify ? (byte)0 : EraseByte);
            if (r.Command is not { } c) return;
            _erased[c.Index] = true;
            if (r.Nullify) _sizes[c.Index][r.Slot] = -1;
            else _sizes[c.Index][r.Slot] += size;
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
