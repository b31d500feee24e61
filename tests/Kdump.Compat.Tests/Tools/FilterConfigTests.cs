using Kdump.Makedumpfile.Erase;

namespace Kdump.Compat.Tests.Tools;

/// <summary>
/// The makedumpfile.conf reader against get_config's rules (erase_info.c, 1.7.8): words, line
/// numbers as fgets counts them, sections, and the messages of each syntax error.
/// </summary>
public class FilterConfigTests
{
    private static (List<ConfigCommand> Commands, List<string> Errors, FilterConfig Reader) ReadAll(string text)
    {
        var errors = new List<string>();
        var reader = FilterConfig.Read(text, (f, m) => errors.Add($"{f}: {m}"));
        var commands = new List<ConfigCommand>();
        while (reader.Next() is { } c) commands.Add(c);
        return (commands, errors, reader);
    }

    [Fact]
    public void Commands_may_span_lines_and_sizes_take_K_and_M()
    {
        var (commands, errors, _) = ReadAll("erase\n a.b.c   size\t2K # comment\nerase x nullify\nerase y size 3m\nerase z size s.len\n");
        Assert.Empty(errors);
        Assert.Equal(4, commands.Count);
        var (filter, size) = commands[0].Filters[0];
        Assert.Equal(["a", "b", "c"], Names(filter));
        Assert.Equal("a.b.c", filter.Expression);
        Assert.Equal(2048, size!.Size);
        Assert.True(size.Has(EntryFlags.Resolved));
        Assert.True(commands[1].Filters[0].Filter.Nullify);
        Assert.Equal(3L << 20, commands[2].Filters[0].Size!.Size);
        Assert.Equal(["s", "len"], Names(commands[3].Filters[0].Size!));
    }

    private static List<string?> Names(ConfigEntry e)
    {
        var names = new List<string?>();
        for (ConfigEntry? x = e; x is not null; x = x.Next) names.Add(x.Name);
        return names;
    }

    [Fact]
    public void A_loop_ties_its_erase_commands_to_the_iteration_variable()
    {
        var (commands, errors, _) = ReadAll("for t in init_task.tasks within task_struct:tasks\n erase t.comm\n erase t.pid size t.len\nendfor\n");
        Assert.Empty(errors);
        var loop = Assert.Single(commands);
        Assert.Equal("task_struct", loop.Iteration!.TypeName);
        Assert.Equal("tasks", loop.Iteration.Next!.Name);
        Assert.Equal(2, loop.Filters.Count);
        Assert.All(loop.Filters, f => Assert.Same(loop.Iteration, f.Filter.ReferTo));
        Assert.Same(loop.Iteration, loop.Filters[1].Size!.ReferTo);
    }

    [Theory]
    // A stray word ends the reading; the line is that of the word.
    [InlineData("erase a\n\nbogus\nerase b\n", 1, "get_config: Config error at 3: Invalid token 'bogus'.")]
    // The last line has no newline: fgets has not counted it.
    [InlineData("erase a\nerase", 1, "read_erase_cmd_entry: Config error at 1: expected kernel symbol after 'erase' command.")]
    [InlineData("erase size\n", 0, "read_erase_cmd_entry: Config error at 1: expected kernel symbol after 'erase' command.")]
    [InlineData("erase a size -4\n", 0, "create_config_entry: Config error at 1: size value must be positive.|read_size_entry: Error at line 1: Failed to read size symbol")]
    [InlineData("for t in arr\n erase u.x\nendfor\n", 0, "read_erase_cmd_entry: Config error at 2: unused iteration variable 't'.")]
    [InlineData("for t.x in arr\nendfor\n", 0, "create_config_entry: Config error at 1: Invalid iteration variable entry.|read_iteration_entry: Error at line 1: Failed to read iteration VAR entry.")]
    // within S:a.b: only create_config_entry speaks.
    [InlineData("for t in l within s:a.b\nendfor\n", 0, "create_config_entry: Config error at 1: Invalid iteration variable entry.")]
    [InlineData("for t on arr\n", 0, "read_iteration_entry: Config error at 1: Invalid token 'on'.|read_iteration_entry: Config error at 1: expected token 'in'.")]
    // The loop's own line number is that of the last word it read itself (the 'erase'), not the erase command's.
    [InlineData("for t in arr\n erase\n t.x\n", 0, "read_iteration_entry: Config error at 2: No matching 'endfor' found.")]
    // A section header ends a command: the loop does not continue into the next section.
    [InlineData("for t in arr\n erase t.x\n[vmlinux]\nendfor\n", 0, "read_iteration_entry: Config error at 2: No matching 'endfor' found.")]
    [InlineData("[vmlinux\nerase a\n[vmlinux]\nerase b\n", 1, "get_config_token: Config error at 1: Invalid module section entry.")]
    public void Syntax_errors_give_upstreams_messages(string text, int commandsBefore, string messages)
    {
        var (commands, errors, _) = ReadAll(text);
        Assert.Equal(commandsBefore, commands.Count);
        Assert.Equal(messages.Split('|'), errors);
    }

    /// <summary>A CR stays in the word (upstream splits at spaces only): "a\r" is the symbol looked for.</summary>
    [Fact]
    public void Crlf_lines_keep_their_cr_in_the_last_word()
    {
        var (commands, errors, _) = ReadAll("erase a\r\nerase b size 4\r\n");
        Assert.Empty(errors);
        Assert.Equal("a\r", commands[0].Filters[0].Filter.Name);
        Assert.Equal(4, commands[1].Filters[0].Size!.Size);   // sscanf stops at the CR
    }

    [Fact]
    public void Commands_carry_their_section_and_sections_of_modules_not_loaded_are_passed_over()
    {
        var errors = new List<string>();
        var reader = FilterConfig.Read("erase a\n[vmlinux]\nerase b\n[ext4]\nerase c\n[gone]\nerase d\n[jbd2\nerase e\n[vmlinux]\nerase f\n",
            (f, m) => errors.Add($"{f}: {m}"), m => m == "ext4");
        var commands = new List<ConfigCommand>();
        while (reader.Next() is { } c) commands.Add(c);
        Assert.Equal(["a", "b", "c", "f"], commands.Select(c => c.Filters[0].Filter.Name));
        Assert.Equal([null, "vmlinux", "ext4", "vmlinux"], commands.Select(c => c.Module));
        // A header without ']' is reported and its lines skipped to the next valid header.
        Assert.Equal(["get_config_token: Config error at 8: Invalid module section entry."], errors);
        Assert.Equal(["ext4", "gone"], reader.ModuleSections.Order(StringComparer.Ordinal));
        // Past a syntax error no later header is read (upstream stops reading there too).
        var (_, _, stopped) = ReadAll("erase a\nbogus\n[ext4]\n");
        Assert.Empty(stopped.ModuleSections);
    }

    /// <summary>CONFIG_SKIP_SECTION: after a module without debuginfo, the rest of its line and its section are dropped.</summary>
    [Fact]
    public void Skipping_a_section_drops_the_rest_of_it_up_to_the_next_header()
    {
        var reader = FilterConfig.Read("[ext4]\nerase a erase b\nerase c\n[jbd2]\nerase d\nerase e\n", (_, _) => { });
        Assert.Equal("a", reader.Next()!.Filters[0].Filter.Name);
        var next = reader.Next(skipSection: true)!;
        Assert.Equal(("d", "jbd2"), (next.Filters[0].Filter.Name, next.Module));
        Assert.Equal("e", reader.Next()!.Filters[0].Filter.Name);
        Assert.Null(reader.Next());
    }

    /// <summary>
    /// Upstream's reader has already read the next section's first word when a one-command section
    /// is skipped, so the skip runs on to the header after it: [vmlinux]'s commands are lost (1.7.8
    /// does the same; docs/compat/makedumpfile.md).
    /// </summary>
    [Fact]
    public void Skipping_a_one_command_section_also_passes_over_the_next_section()
    {
        var reader = FilterConfig.Read("[A]\nerase a1\n[vmlinux]\nerase v1\nerase v2\n[B]\nerase b1\n", (_, _) => { });
        Assert.Equal("a1", reader.Next()!.Filters[0].Filter.Name);
        var next = reader.Next(skipSection: true)!;
        Assert.Equal(("b1", "B"), (next.Filters[0].Filter.Name, next.Module));
    }

    [Fact]
    public void Long_lines_are_read_in_fgets_pieces_and_a_nul_hides_the_rest()
    {
        // A word cut at 1499 characters becomes two; the line count rises once, at the newline.
        var (commands, errors, _) = ReadAll("erase " + new string('a', 1493) + "bc\nerase d\0 ignored\nerase e\n");
        Assert.Equal("get_config: Config error at 1: Invalid token 'bc'.", Assert.Single(errors));
        Assert.Single(commands);
        Assert.Equal(new string('a', 1493), commands[0].Filters[0].Filter.Name);
    }

    /// <summary>Seeded soups of keywords, names, brackets, comments and control bytes: the reader ends, never throws, never loops.</summary>
    [Fact]
    public void Any_text_is_read_to_an_end_without_an_exception()
    {
        var random = new Random(1234);
        string[] words = ["erase", "for", "in", "via", "within", "endfor", "size", "nullify", "a.b", "x", "s:m", ":", "..", "1K", "-3", "[vmlinux]", "[", "]", "#", "\t", "\n", "\0", "9999999999999999999999"];
        for (var round = 0; round < 2000; round++)
        {
            var text = string.Join(random.Next(3) == 0 ? "\n" : " ", Enumerable.Range(0, random.Next(1, 40)).Select(_ => words[random.Next(words.Length)]));
            var reader = FilterConfig.Read(text, (_, _) => { });
            var commands = 0;
            while (reader.Next() is not null) Assert.True(++commands <= text.Length, "more commands than characters");
        }
    }
}
